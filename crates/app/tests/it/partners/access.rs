//! A unit takes a need; who may not act, cannot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{STREET, hospital, partner_account};
use crate::common::cases::world;
use crate::common::who_as as who;
use linli_app::demo::COMMUNITY;
use linli_app::partners::{NeedInput, ProjectInput, ResourceInput, UnitInput};
use linli_app::{Actor, AppError};
use linli_domain::access::Role;
use linli_store::{Db, db_test};

db_test!(
    a_unit_takes_a_need_and_others_are_kept_out,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let (app, sec, a) = (&w.app, &w.secretary, Actor::cli());
        let unit = who(
            Role::PartnerUnit,
            STREET,
            partner_account(app, "wuye", STREET).await,
        );
        {
            // a street next door, with a unit of its own
            let mut conn = db.conn().await.unwrap();
            let r = linli_domain::territory::Region::parse("220103009", "兴业街道", Some("220103"))
                .unwrap();
            linli_store::territory::regions::upsert(&mut conn, &[r])
                .await
                .unwrap();
        }
        let far = who(
            Role::PartnerUnit,
            "220103009",
            partner_account(app, "yuanfang", "220103009").await,
        );
        let mut school = hospital();
        school.name = "长春市第五中学".into();
        school.kind = "school".into();
        let uid = app.register_unit(&unit, &school, &a).await.unwrap();
        let far_unit = app
            .register_unit(
                &far,
                &UnitInput {
                    name: "远方公司".into(),
                    kind: "private".into(),
                    ..hospital()
                },
                &a,
            )
            .await
            .unwrap();
        assert!(matches!(
            app.unit_report_in(&far, COMMUNITY, "", &a).await,
            Err(AppError::Forbidden)
        ));
        assert!(
            app.unit_report_in(&unit, "220103008", "", &a)
                .await
                .is_err(),
            "a street is no community"
        );
        app.unit_report_in(&unit, COMMUNITY, "", &a).await.unwrap();
        let parking = ResourceInput {
            kind: "venue".into(),
            category: "停车交通".into(),
            title: "夜间开放停车场".into(),
            ..ResourceInput::default()
        };
        assert!(
            matches!(
                app.offer_resource(sec, uid, &parking, &a).await,
                Err(AppError::Forbidden)
            ),
            "staff write for a unit only once their community accepted it"
        );
        app.offer_resource(&far, far_unit, &parking, &a)
            .await
            .unwrap();

        app.decide_report(sec, uid, COMMUNITY, true, &a)
            .await
            .unwrap();
        for who in [&w.resident, &w.dept1, &w.worker1] {
            assert!(matches!(
                app.partners_home(who).await,
                Err(AppError::Forbidden)
            ));
        }
        let need = NeedInput {
            community: COMMUNITY.into(),
            category: "停车交通".into(),
            title: "夜间停车难".into(),
            body: "晚上小区车位不够".into(),
            place: "长山花园".into(),
            source: "staff".into(),
            case_id: None,
        };
        assert!(matches!(
            app.add_need(&unit, &need, &a).await,
            Err(AppError::Forbidden)
        ));
        let wrong = NeedInput {
            source: "case".into(),
            ..need.clone()
        };
        assert!(
            app.add_need(sec, &wrong, &a).await.is_err(),
            "a case need names its case"
        );
        let id = app.add_need(sec, &need, &a).await.unwrap();
        let home = app.partners_home(&unit).await.unwrap();
        assert!(home.needs.iter().any(|n| n.id == id));
        assert!(app.partners_home(&far).await.unwrap().needs.is_empty());
        app.take_need(&unit, id, &a).await.unwrap();
        assert!(app.take_need(&unit, id, &a).await.is_err(), "taken once");
        let v = app.partner_need(sec, id).await.unwrap();
        assert_eq!(v.line.taken_by.as_deref(), Some("长春市第五中学"));
        assert!(
            v.suggestions.iter().all(|x| x.resource.unit_id != far_unit),
            "a unit that never reported in here is not suggested"
        );
        // staff start it directly, with no meeting; a unit not reported in may not lead
        let mut p = ProjectInput {
            need_id: id,
            meeting_id: None,
            title: "错时共享停车".into(),
            lead_unit: uid + 1,
            other_units: Vec::new(),
            owner: "张校长".into(),
            due_on: "2027-01-31".into(),
            budget: String::new(),
        };
        assert!(app.start_project(sec, &p, &a).await.is_err());
        p.lead_unit = uid;
        let pid = app.start_project(sec, &p, &a).await.unwrap();
        assert!(
            app.close_need(sec, id, &a).await.is_err(),
            "a project's need is not closed by hand"
        );
        assert!(matches!(
            app.partner_project(&far, pid).await,
            Err(AppError::NotFound)
        ));
        let u = app.partner_unit(&unit, uid).await.unwrap();
        assert!(u.own && u.contact.is_some() && u.projects.len() == 1);
        assert!(matches!(
            app.partner_unit(&far, uid).await,
            Err(AppError::NotFound)
        ));
        let street = app.partner_unit(&w.street, uid).await.unwrap();
        assert!(
            street.contact.is_none(),
            "the street reads, without the contact"
        );
    }
);
