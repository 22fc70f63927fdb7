//! 个人信息权利 (PIPL arts. 44–47): a resident with an account sees their
//! household's data, downloads it (JSON, xlsx), and asks for corrections;
//! staff in scope see and resolve those requests. The resident's own ID
//! number and phone are shown in full to them; the other members' stay
//! masked (family members are people with rights of their own).

use crate::accounts::auth::Principal;
use crate::infra::crypto::Field;
use crate::infra::xlsx::{Cell, SheetOut, write_book};
use crate::registry::ResidentView;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, Role, scope_prefixes};
use linli_store::registry::pipl::{self as store, Correction};
use linli_store::{accounts::users, audit, registry};

/// The fields a resident may ask to correct.
pub const CORRECTABLE: [&str; 9] = [
    "姓名",
    "性别",
    "出生日期",
    "证件号码",
    "联系电话",
    "民族",
    "政治面貌",
    "工作单位",
    "其他",
];

/// A resident's own data.
#[derive(Debug, Clone)]
pub struct MyData {
    pub me: ResidentView,
    /// the resident's own numbers, in full
    pub id_number: String,
    pub phone: Option<String>,
    /// the other members of the household, masked
    pub members: Vec<ResidentView>,
    pub corrections: Vec<Correction>,
}

/// A correction request as staff see it.
#[derive(Debug, Clone)]
pub struct CorrectionView {
    pub request: Correction,
    pub resident_name: String,
    pub address: String,
    /// the asked-for value, in clear for the staff who must act on it
    pub value: String,
}

impl App {
    /// 绑定本人账号: staff bind a resident to an account.
    pub async fn link_resident_account(
        &self,
        who: &Principal,
        resident_id: i64,
        username: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let r = self
            .visible(&mut tx, who, resident_id, Permission::EditResidents)
            .await?;
        let user = users::id_by_username(&mut tx, username)
            .await?
            .ok_or_else(|| AppError::Invalid(format!("没有账号“{username}”")))?;
        // the account will read this person's numbers in full at /me: it
        // must be a resident's own account (a resident who is also a party
        // member or volunteer; never a staff account), of this community,
        // and not already someone else's
        let grants = users::grants(&mut tx, user).await?;
        let resident_here = grants
            .iter()
            .any(|g| g.role == Role::Resident && g.scope.related(&r.record.community));
        if !resident_here || grants.iter().any(|g| g.role.is_staff()) {
            return Err(AppError::Invalid(
                "只能绑定本社区居民本人的账号(角色为“居民”)".into(),
            ));
        }
        let previous = store::resident_of_user(&mut tx, user).await?;
        if previous.is_some_and(|p| p != resident_id) {
            return Err(AppError::Invalid("该账号已绑定其他居民".into()));
        }
        store::link_account(&mut tx, user, resident_id, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "resident.link_account",
                format!("resident:{resident_id}"),
                format!("user={user}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn my_resident_id(&self, who: &Principal) -> Result<i64, AppError> {
        store::resident_of_user(&mut *self.db.conn().await?, who.user_id)
            .await?
            .ok_or_else(|| AppError::Invalid("您的账号尚未与居民信息绑定,请联系社区".into()))
    }

    /// 我的信息: the caller's own household. Reading it is audited.
    pub async fn my_data(&self, who: &Principal, actor: &Actor) -> Result<MyData, AppError> {
        let crypto = self.crypto()?;
        let me_id = self.my_resident_id(who).await?;
        let mut tx = self.db.begin().await?;
        let ids = store::household_members(&mut tx, me_id).await?;
        let mut views = Vec::new();
        let mut mine = None;
        for id in ids {
            let r = registry::resident_by_id(&mut tx, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if id == me_id {
                mine = Some((
                    crypto
                        .open(Field::IdNumber, &r.record.doc_sealed)?
                        .expose()
                        .to_owned(),
                    r.record
                        .phone_sealed
                        .as_deref()
                        .map(|p| crypto.open(Field::Phone, p))
                        .transpose()?
                        .map(|s| s.expose().to_owned()),
                ));
            }
            let tags = registry::tags_of(&mut tx, &[id]).await?;
            views.push(crate::registry::view_for_owner(r, tags, id == me_id));
        }
        let corrections = store::corrections_of(&mut tx, me_id).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "pipl.access",
                format!("resident:{me_id}"),
                String::new(),
            ),
            crate::now(),
        )
        .await?;
        tx.commit().await?;
        let (id_number, phone) = mine.ok_or(AppError::NotFound)?;
        let mut views = views.into_iter();
        let me = views.next().ok_or(AppError::NotFound)?;
        Ok(MyData {
            me,
            id_number,
            phone,
            members: views.collect(),
            corrections,
        })
    }

    /// 下载我的信息 as xlsx (the JSON comes from the same data).
    pub fn my_data_xlsx(data: &MyData) -> Result<Vec<u8>, AppError> {
        let t = |s: &str| Cell::Text(s.to_owned());
        let row = |v: &ResidentView, doc: &str, phone: &str| {
            vec![
                t(&v.name),
                t(v.gender),
                t(v.birth_date.as_deref().unwrap_or_default()),
                t(v.doc_kind),
                t(doc),
                t(phone),
                t(&v.ethnicity),
                t(&v.political),
                t(&v.address),
                t(&v.relation),
                t(v.residency),
                t(&v.tags
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")),
                t(&v.work_unit),
            ]
        };
        let mut rows = vec![row(
            &data.me,
            &data.id_number,
            data.phone.as_deref().unwrap_or(""),
        )];
        for m in &data.members {
            rows.push(row(
                m,
                &m.doc_masked,
                m.phone_masked.as_deref().unwrap_or(""),
            ));
        }
        let headers = [
            "姓名",
            "性别",
            "出生日期",
            "证件类型",
            "证件号码",
            "联系电话",
            "民族",
            "政治面貌",
            "住址",
            "与户主关系",
            "居住类型",
            "标签",
            "工作单位",
        ];
        write_book(&[SheetOut {
            name: "我的信息",
            headers: &headers,
            rows: &rows,
        }])
    }

    /// 申请更正: the value asked for is sealed until staff look at it.
    pub async fn request_correction(
        &self,
        who: &Principal,
        field: &str,
        value: &str,
        note: &str,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        if !CORRECTABLE.contains(&field) {
            return Err(AppError::Invalid(format!(
                "可更正的项目:{}",
                CORRECTABLE.join("、")
            )));
        }
        let value = value.trim();
        if value.is_empty() || value.chars().count() > 100 || note.chars().count() > 500 {
            return Err(AppError::Invalid(
                "请填写正确的内容(不超过 100 字),说明不超过 500 字".into(),
            ));
        }
        let sealed = self.crypto()?.seal(Field::Health, value)?;
        let me = self.my_resident_id(who).await?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let id =
            store::insert_correction(&mut tx, me, who.user_id, field, &sealed, note.trim(), now)
                .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "pipl.correction",
                format!("resident:{me}"),
                format!("request={id} field={field}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Open correction requests in the caller's scope.
    pub async fn open_corrections(&self, who: &Principal) -> Result<Vec<CorrectionView>, AppError> {
        let scopes = scope_prefixes(&who.grants, Permission::EditResidents);
        if scopes.is_empty() {
            return Err(AppError::Forbidden);
        }
        let crypto = self.crypto()?;
        let mut conn = self.db.conn().await?;
        let list = store::open_corrections(&mut conn, &scopes).await?;
        let mut out = Vec::new();
        for c in list {
            let r = registry::resident_by_id(&mut conn, c.resident_id)
                .await?
                .ok_or(AppError::NotFound)?;
            out.push(CorrectionView {
                value: crypto
                    .open(Field::Health, &c.value_sealed)?
                    .expose()
                    .to_owned(),
                resident_name: r.record.name,
                address: format!("{} {} {} {}室", r.estate, r.building, r.unit, r.room),
                request: c,
            });
        }
        Ok(out)
    }

    /// Marks a request done (the record was corrected) or refused, with why.
    pub async fn resolve_correction(
        &self,
        who: &Principal,
        id: i64,
        done: bool,
        resolution: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let resolution = resolution.trim();
        if resolution.is_empty() || resolution.chars().count() > 200 {
            return Err(AppError::Invalid("请填写处理说明(不超过 200 字)".into()));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let c = store::correction_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.visible(&mut tx, who, c.resident_id, Permission::EditResidents)
            .await?;
        let status = if done { "done" } else { "refused" };
        if !store::resolve_correction(&mut tx, id, status, actor.id, resolution, now).await? {
            return Err(AppError::Conflict("该申请已处理".into()));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "pipl.resolve",
                format!("resident:{}", c.resident_id),
                format!("request={id} status={status}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
