//! The 共建 forms (POST): each calls one use case and comes back to the
//! page it was sent from with what happened.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::error::WebError;
use crate::http::render::redirect_with;
use crate::http::upload::PhotoForm;
use crate::http::util::{ClientIp, Fields};
use axum::extract::{Path, State};
use axum::response::Response;
use linli_app::AppError;
use linli_app::partners::{
    AgreementInput, FundingInput, JointMeetingInput, NeedInput, ProjectInput, ResourceInput,
    UnitInput,
};

type Form = axum::Form<Vec<(String, String)>>;

/// Back to `to` with `ok` or the refusal.
fn back<T>(to: &str, r: Result<T, AppError>, ok: &str) -> Result<Response, WebError> {
    redirect_with(to, Vec::new(), r.map(|_| ok.to_owned()))
}

/// The numbers of a repeated field (`needs=3&needs=5`).
fn ids(f: &Fields, k: &str) -> Vec<i64> {
    f.0.iter()
        .filter(|(n, _)| n == k)
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect()
}

pub(super) async fn register(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let u = UnitInput {
        name: f.get("name"),
        kind: f.get("kind"),
        party_org: f.get("party_org"),
        contact_name: f.get("contact_name"),
        contact_phone: f.get("contact_phone"),
        committee_member: f.get("committee_member"),
    };
    match state.app.register_unit(&user, &u, &user.actor(&ip)).await {
        Ok(id) => back(
            &format!("/partners/units/{id}"),
            Ok(()),
            "单位已登记,请向社区报到",
        ),
        Err(e) => back("/partners/register", Err::<(), _>(e), ""),
    }
}

pub(super) async fn report_in(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = state
        .app
        .unit_report_in(&user, &f.get("community"), &f.get("note"), &user.actor(&ip))
        .await;
    back("/partners", r, "已报到,等社区确认")
}

pub(super) async fn decide(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let accept = f.get("accept") == "1";
    let r = state
        .app
        .decide_report(&user, id, &f.get("community"), accept, &user.actor(&ip))
        .await;
    back(
        "/partners",
        r,
        if accept {
            "已确认报到"
        } else {
            "已退回"
        },
    )
}

/// A form with pictures: its fields and the files, or why a file was refused.
type PhotoFields = PhotoForm<Vec<(String, String)>>;

/// The refusal of a picture, in words for the person.
fn photo_refused(e: Option<linli_domain::cases::photo::PhotoError>) -> Result<(), AppError> {
    e.map_or(Ok(()), |e| Err(AppError::Invalid(e.to_string())))
}

pub(super) async fn agreement(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: PhotoFields,
) -> Result<Response, WebError> {
    let to = format!("/partners/units/{id}");
    if let Err(e) = photo_refused(form.photo_error) {
        return back(&to, Err::<(), _>(e), "");
    }
    let f = Fields(form.form);
    let a = AgreementInput {
        title: f.get("title"),
        commitments: f.get("commitments"),
        start_date: f.get("start_date"),
        end_date: f.get("end_date"),
        scans: form.photos,
    };
    let r = state
        .app
        .sign_agreement(&user, id, &f.get("community"), &a, &user.actor(&ip))
        .await;
    back(&format!("/partners/units/{id}"), r, "协议已登记")
}

pub(super) async fn resource(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = ResourceInput {
        kind: f.get("kind"),
        category: f.get("category"),
        title: f.get("title"),
        detail: f.get("detail"),
        amount: f.get("amount"),
        available: f.get("available"),
    };
    let r = state
        .app
        .offer_resource(&user, id, &r, &user.actor(&ip))
        .await;
    back(&format!("/partners/units/{id}"), r, "资源已加入资源清单")
}

pub(super) async fn add_need(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let n = NeedInput {
        community: f.get("community"),
        category: f.get("category"),
        title: f.get("title"),
        body: f.get("body"),
        place: f.get("place"),
        source: f.get("source"),
        case_id: f.int("case_id"),
    };
    match state.app.add_need(&user, &n, &user.actor(&ip)).await {
        Ok(id) => back(
            &format!("/partners/needs/{id}"),
            Ok(()),
            "需求已列入需求清单",
        ),
        Err(e) => {
            let to = n.case_id.map_or("/partners/needs/new".to_owned(), |c| {
                format!("/partners/needs/new?case={c}")
            });
            back(&to, Err::<(), _>(e), "")
        }
    }
}

pub(super) async fn take(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state.app.take_need(&user, id, &user.actor(&ip)).await;
    back(
        &format!("/partners/needs/{id}"),
        r,
        "已认领,社区会联系您立项",
    )
}

pub(super) async fn close_need(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state.app.close_need(&user, id, &user.actor(&ip)).await;
    back(&format!("/partners/needs/{id}"), r, "需求已关闭")
}

pub(super) async fn call_meeting(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let m = JointMeetingInput {
        community: f.get("community"),
        title: f.get("title"),
        held_on: f.get("held_on"),
        place: f.get("place"),
        needs: ids(&f, "needs"),
    };
    match state
        .app
        .call_joint_meeting(&user, &m, &user.actor(&ip))
        .await
    {
        Ok(id) => back(&format!("/partners/meetings/{id}"), Ok(()), "会议已安排"),
        Err(e) => back("/partners/meetings/new", Err::<(), _>(e), ""),
    }
}

pub(super) async fn record_meeting(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = state
        .app
        .record_joint_meeting(
            &user,
            id,
            &f.get("attendees"),
            &f.get("minutes"),
            &f.get("decisions"),
            &user.actor(&ip),
        )
        .await;
    back(&format!("/partners/meetings/{id}"), r, "会议纪要已保存")
}

pub(super) async fn start_project(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let p = ProjectInput {
        need_id: f.int("need_id").unwrap_or(0),
        meeting_id: f.int("meeting_id"),
        title: f.get("title"),
        lead_unit: f.int("lead_unit").unwrap_or(0),
        other_units: ids(&f, "units"),
        owner: f.get("owner"),
        due_on: f.get("due_on"),
        budget: f.get("budget"),
    };
    let from = match p.meeting_id {
        Some(m) => format!("/partners/meetings/{m}"),
        None => format!("/partners/needs/{}", p.need_id),
    };
    match state.app.start_project(&user, &p, &user.actor(&ip)).await {
        Ok(id) => back(&format!("/partners/projects/{id}"), Ok(()), "已立项"),
        Err(e) => back(&from, Err::<(), _>(e), ""),
    }
}

pub(super) async fn progress(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    form: PhotoFields,
) -> Result<Response, WebError> {
    if let Err(e) = photo_refused(form.photo_error) {
        return back(&format!("/partners/projects/{id}"), Err::<(), _>(e), "");
    }
    let f = Fields(form.form);
    let r = state
        .app
        .log_progress(&user, id, &f.get("note"), &form.photos, &user.actor(&ip))
        .await;
    back(&format!("/partners/projects/{id}"), r, "进展已记录")
}

pub(super) async fn funding(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let input = FundingInput {
        unit_id: f.int("unit_id").unwrap_or(0),
        kind: f.get("kind"),
        amount: f.get("amount"),
        note: f.get("note"),
    };
    let r = state
        .app
        .add_funding(&user, id, &input, &user.actor(&ip))
        .await;
    back(&format!("/partners/projects/{id}"), r, "投入已记录")
}

pub(super) async fn close_project(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let r = state
        .app
        .close_project(&user, id, &f.get("outcome"), &user.actor(&ip))
        .await;
    back(
        &format!("/partners/projects/{id}"),
        r,
        "项目已完成,已在公开栏公示",
    )
}

pub(super) async fn evaluate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    axum::Form(fields): Form,
) -> Result<Response, WebError> {
    let f = Fields(fields);
    let community = f.get("community");
    let year = f.int("year").unwrap_or(0);
    let score = f
        .int("score")
        .ok_or_else(|| AppError::Invalid("评分应为 0 到 100 的整数".into()));
    let r = match score {
        Ok(s) => {
            let year32 = i32::try_from(year).unwrap_or(0);
            let unit = f.int("unit").unwrap_or(0);
            state
                .app
                .evaluate_unit(
                    &user,
                    &community,
                    unit,
                    year32,
                    (s, &f.get("comment")),
                    &user.actor(&ip),
                )
                .await
        }
        Err(e) => Err(e),
    };
    redirect_with(
        "/partners/evaluation",
        vec![("community", community), ("year", year.to_string())],
        r.map(|_| "考评已保存".to_owned()),
    )
}
