//! The demo's deliberation, 海湾-style: moving the fitness equipment —
//! proposed by a resident, supported past the threshold, taken onto the
//! agenda, an 入户小会 and a 居民代表会议 (which adopts it), done and rated;
//! the 1号楼1单元 elevator on the agenda after two 议事协商会 (its owners'
//! vote follows); and a parcel-locker idea still gathering support.

use crate::accounts::auth::Principal;
use crate::deliberation::{MeetingInput, MeetingRecord};
use crate::{Actor, App, AppError};
use linli_store::deliberation::proposals::{self as store, NewProposal};

/// A day `days` ago, `YYYY-MM-DD`.
fn ago(days: i64) -> String {
    (crate::today() - time::Duration::days(days)).to_string()
}

impl App {
    /// Seeds the proposals; returns the elevator's (on the agenda), for
    /// its vote. `people` are residents of the estate, the author first.
    pub(crate) async fn seed_demo_proposals(
        &self,
        staff: &Principal,
        community: &str,
        estate: (i64, &str),
        lift: (i64, &str),
        people: &[i64],
    ) -> Result<i64, AppError> {
        let actor = Actor::cli();
        let now = crate::now();
        let name_of = |i: usize| crate::demo::person(300 + i);
        let file = |kind: &'static str,
                    id: i64,
                    scope: String,
                    title: &'static str,
                    body: &'static str,
                    author: String| {
            let community = community.to_owned();
            async move {
                let mut tx = self.db.begin().await?;
                let pid = store::insert(
                    &mut tx,
                    &NewProposal {
                        community_code: &community,
                        scope_kind: kind,
                        scope_id: id,
                        scope_name: &scope,
                        author_user: 0,
                        author_name: &author,
                        title,
                        body,
                        threshold: 10,
                        now,
                    },
                )
                .await?;
                tx.commit().await?;
                Ok::<i64, AppError>(pid)
            }
        };
        let support = |pid: i64, who: Vec<i64>| async move {
            let mut tx = self.db.begin().await?;
            let mut n = 0;
            for r in who {
                if let Some(k) = store::support(&mut tx, pid, r, now).await? {
                    n = k;
                }
            }
            if n >= 10 {
                store::set_state(&mut tx, pid, "seeking", "review", None, now).await?;
            }
            tx.commit().await?;
            Ok::<i64, AppError>(n)
        };

        // 健身器材: the whole loop, 民提 to 民评
        let fitness = file(
            "estate",
            estate.0,
            estate.1.to_owned(),
            "把健身器材挪到3号楼北侧空地",
            "健身器材紧挨着1号楼窗户,早上五点就有人锻炼,吵得老人睡不好。3号楼北侧有块空地,挪过去大家都方便。",
            name_of(0),
        )
        .await?;
        support(fitness, people.iter().skip(1).take(14).copied().collect()).await?;
        self.move_proposal(
            staff,
            fitness,
            "agenda",
            "14 位邻居附议,列入本月议程,先入户听听1号楼和3号楼的意见。",
            &actor,
        )
        .await?;
        let home = self
            .schedule_meeting(
                staff,
                fitness,
                &MeetingInput {
                    kind: "home".to_owned(),
                    title: "健身器材挪不挪".to_owned(),
                    held_on: ago(60),
                    place: "1号楼1单元王大爷家".to_owned(),
                },
                &actor,
            )
            .await?;
        self.record_meeting(
            staff,
            home,
            &MeetingRecord {
                attendees: (0..7).map(name_of).collect::<Vec<_>>().join("\n"),
                minutes: "1号楼住户都赞成挪走;3号楼有两户担心噪音挪到自家楼下。商定:器材离3号楼至少 15 米,早上 6 点前、晚上 9 点后不用。".to_owned(),
                decisions: "提交居民代表会议表决。".to_owned(),
                ..MeetingRecord::default()
            },
            &actor,
        )
        .await?;
        let council = self
            .schedule_meeting(
                staff,
                fitness,
                &MeetingInput {
                    kind: "representatives".to_owned(),
                    title: "健身器材移位方案".to_owned(),
                    held_on: ago(45),
                    place: "社区党群服务中心二楼".to_owned(),
                },
                &actor,
            )
            .await?;
        self.record_meeting(
            staff,
            council,
            &MeetingRecord {
                attendees: (0..35).map(name_of).collect::<Vec<_>>().join("\n"),
                minutes: "通报入户小会意见和移位方案,代表逐一发言。".to_owned(),
                decisions: "器材移至3号楼北侧空地,离楼 15 米;物业负责搬运,社区出资加装两盏路灯。"
                    .to_owned(),
                present: "35".to_owned(),
                votes_for: "28".to_owned(),
                against: "4".to_owned(),
            },
            &actor,
        )
        .await?;
        {
            use linli_store::deliberation::discussion::{NewComment, hide_comment, insert_comment};
            let mut tx = self.db.begin().await?;
            let said = [
                (1, "支持!早上五点就咣咣响,老人根本睡不着。"),
                (2, "挪到3号楼北边可以,但别离窗户太近。"),
                (3, "那块空地冬天背阴,地面结冰要注意防滑。"),
                (4, "3号楼某某家天天晚上十点还在那儿练,早该管管了。"),
            ];
            let mut ids = Vec::new();
            for (k, body) in said {
                ids.push(
                    insert_comment(
                        &mut tx,
                        &NewComment {
                            proposal_id: fitness,
                            parent_id: None,
                            author_user: 0,
                            author_name: &name_of(k),
                            staff: false,
                            body,
                            now,
                        },
                    )
                    .await?,
                );
            }
            insert_comment(
                &mut tx,
                &NewComment {
                    proposal_id: fitness,
                    parent_id: Some(ids[2]),
                    author_user: staff.user_id,
                    author_name: "社区居委会",
                    staff: true,
                    body: "已请物业冬季在器材区铺防滑垫。",
                    now,
                },
            )
            .await?;
            hide_comment(&mut tx, ids[3], "涉及具体住户,已隐藏", staff.user_id).await?;
            tx.commit().await?;
        }
        self.add_progress(
            staff,
            fitness,
            "物业把器材搬到3号楼北侧空地,离楼 15 米。",
            "3200",
            &actor,
        )
        .await?;
        self.add_progress(
            staff,
            fitness,
            "加装两盏太阳能路灯,张贴早晚使用时段提示。",
            "5800",
            &actor,
        )
        .await?;
        self.move_proposal(
            staff,
            fitness,
            "done",
            "器材已于上月挪好,加装了两盏路灯,早晚时段贴了提示。",
            &actor,
        )
        .await?;
        {
            let mut tx = self.db.begin().await?;
            for (i, r) in people.iter().skip(1).take(9).enumerate() {
                store::rate(&mut tx, fitness, *r, [5, 5, 4, 5, 3, 5, 4, 5, 4][i], now).await?;
            }
            tx.commit().await?;
        }

        // the elevator: on the agenda after 议事协商会; its owners' vote follows
        let elevator = file(
            "unit",
            lift.0,
            lift.1.to_owned(),
            "1号楼1单元加装电梯",
            "单元里 60 岁以上的老人有二十多位,上下楼太难。想申请加装电梯,费用按楼层分摊,政府有补贴。",
            name_of(40),
        )
        .await?;
        support(elevator, people.iter().skip(20).take(12).copied().collect()).await?;
        self.move_proposal(
            staff,
            elevator,
            "agenda",
            "列入议程;先开议事协商会,方案成熟后交本单元业主表决。",
            &actor,
        )
        .await?;
        let talk = self
            .schedule_meeting(
                staff,
                elevator,
                &MeetingInput {
                    kind: "council".to_owned(),
                    title: "电梯方案和分摊".to_owned(),
                    held_on: ago(20),
                    place: "社区党群服务中心".to_owned(),
                },
                &actor,
            )
            .await?;
        self.record_meeting(
            staff,
            talk,
            &MeetingRecord {
                attendees: (40..58).map(name_of).collect::<Vec<_>>().join("\n"),
                minutes: "一楼住户担心采光和噪音;设计单位介绍北侧加装方案,不挡一楼窗户。分摊:一层不分摊,二层 10 起逐层递增。".to_owned(),
                decisions: "方案和分摊办法交本单元业主表决。".to_owned(),
                ..MeetingRecord::default()
            },
            &actor,
        )
        .await?;

        // still gathering support
        let locker = file(
            "estate",
            estate.0,
            estate.1.to_owned(),
            "小区东门增设快递柜",
            "快递都堆在门卫室,老人取件不方便,也容易丢。",
            name_of(60),
        )
        .await?;
        support(locker, people.iter().skip(60).take(3).copied().collect()).await?;
        Ok(elevator)
    }
}
