//! The steps of the loop (立案 … 结案, 返工, 缓办, 重办) and the reporter's
//! rating: each is one transaction with the case update, its timeline
//! event, photos, roll-ups, notifications and audit record.

use super::*;

impl App {
    /// Takes one step on a case, as `who`.
    pub async fn case_step(
        &self,
        who: &Principal,
        id: i64,
        step: Step,
        input: &StepInput,
        actor: &Actor,
    ) -> Result<CaseRow, AppError> {
        let photos = self.ready_photos(&input.photos).await?;
        let mut tx = self.db.begin().await?;
        let c = self
            .step_in(&mut tx, who, id, step, input, &photos, actor, crate::now())
            .await?;
        tx.commit().await?;
        self.ring();
        Ok(c)
    }

    /// [`App::case_step`] inside the caller's transaction, at `now`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn step_in(
        &self,
        tx: &mut Conn,
        who: &Principal,
        id: i64,
        step: Step,
        input: &StepInput,
        photos: &[ReadyPhoto],
        actor: &Actor,
        now: UnixMs,
    ) -> Result<CaseRow, AppError> {
        let note = input.note.trim();
        if note.chars().count() > DESCRIPTION_MAX {
            return Err(bad("说明不超过 2000 字"));
        }
        let mut c = store::case_for_step(&mut *tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let original = c.clone();
        let reach = reach_of(&mut *tx, who, &c).await?;
        let step = authorise(who, &reach, &c, step)?;
        if matches!(
            step,
            Step::Reject | Step::Cancel | Step::Postpone { .. } | Step::VerifyFail
        ) && note.is_empty()
        {
            return Err(AppError::Invalid(format!("{}须说明理由", step.label_zh())));
        }
        let before = facts(&c)?;
        let to = rules::apply(before.state, step).map_err(|e| AppError::Invalid(e.to_string()))?;
        let counts = rules::tally(&before, step, now, &LoopPolicy::default());
        let mut notify_handler = false;
        match step {
            Step::Accept => {
                c.accepted_at = Some(now);
                if let Some(code) = input.category.as_deref().filter(|s| !s.is_empty()) {
                    let cat = setup_store::category_by_code(&mut *tx, code)
                        .await?
                        .filter(|k| k.active && k.parent_id.is_some())
                        .ok_or_else(|| AppError::Invalid(format!("没有诉求类别“{code}”")))?;
                    c.category_id = cat.id;
                    let received = c.created_at;
                    self.retime(&mut *tx, &mut c, &cat, received).await?;
                }
            }
            Step::Merge => {
                let target = input.merge_into.ok_or_else(|| bad("请选择合并到的案件"))?;
                let t = store::case_by_id(&mut *tx, target)
                    .await?
                    .filter(|t| t.id != c.id && parse_state(&t.state).is_ok_and(CaseState::is_open))
                    .ok_or_else(|| bad("合并目标须为另一件未办结的案件"))?;
                // merging moves the case's people onto the target: the
                // caller manages both
                match reach_given(who, &t, false) {
                    Ok(Reach::Staff(scope))
                        if allowed(&who.grants, Permission::ManageCases, &scope) => {}
                    _ => return Err(bad("合并目标须为您可受理的另一件案件")),
                }
                c.merged_into = Some(t.id);
            }
            Step::Dispatch => {
                self.assign(&mut *tx, &mut c, input).await?;
                c.dispatches += 1;
                notify_handler = true;
            }
            Step::Handle => c.handlings += 1,
            Step::VerifyFail => c.reworks += 1,
            Step::VerifyPass | Step::CloseOnSpot => {
                c.closings += 1;
                c.closed_at = Some(now);
                if step == Step::CloseOnSpot {
                    c.handler_kind = Some(HandlerKind::GridWorker.as_str().to_owned());
                    c.handler_name = Some(who.display_name.clone());
                    c.handler_user_id = Some(who.user_id).filter(|id| *id > 0);
                }
            }
            Step::Postpone { .. } => c.postponements += 1,
            Step::Reopen => self.reopen_fields(&mut *tx, &mut c, now).await?,
            _ => {}
        }
        c.state = to.as_str().to_owned();
        c.updated_at = now;
        store::update_case(&mut *tx, &c).await?;
        let public = !matches!(step, Step::VerifyFail | Step::Start);
        let note = match (&c.handler_name, step) {
            (Some(h), Step::Dispatch) if note.is_empty() => format!("派遣至{h}"),
            (Some(h), Step::Dispatch) => format!("派遣至{h}:{note}"),
            _ => note.to_owned(),
        };
        let ev = self
            .record(
                &mut *tx,
                &c,
                step.as_str(),
                Some(before.state),
                &note,
                public,
                actor,
                now,
            )
            .await?;
        crate::cases::photos::attach_photos(&mut *tx, (c.id, ev), PhotoStage::Handle, photos, now)
            .await?;
        count(&mut *tx, &original, &c, &counts).await?;
        self.notify_step(&mut *tx, &c, step, notify_handler, now)
            .await?;
        audit::append(
            &mut *tx,
            event(
                actor,
                &format!("case.{}", step.as_str()),
                format!("case:{}", c.id),
                format!("{} {}→{}", c.number, before.state.as_str(), c.state),
            ),
            now,
        )
        .await?;
        Ok(c)
    }

    /// Sets the deadline, counted from `from`, by `cat` and the priority.
    async fn retime(
        &self,
        conn: &mut Conn,
        c: &mut CaseRow,
        cat: &Category,
        from: UnixMs,
    ) -> Result<(), AppError> {
        let p = c.priority.parse().unwrap_or(Priority::Normal);
        c.due_at = Some(self.due(conn, from, cat, p).await?);
        Ok(())
    }

    /// 重办: open again and due anew from `now`.
    async fn reopen_fields(
        &self,
        conn: &mut Conn,
        c: &mut CaseRow,
        now: UnixMs,
    ) -> Result<(), AppError> {
        c.reopens += 1;
        c.closed_at = None;
        let cat = self.category_of(conn, c).await?;
        self.retime(conn, c, &cat, now).await
    }

    async fn category_of(&self, conn: &mut Conn, c: &CaseRow) -> Result<Category, AppError> {
        setup_store::category_by_id(conn, c.category_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Sets the handler of a dispatch: the one asked for, else the routing
    /// rule for the category and territory, else the grid's worker.
    async fn assign(
        &self,
        conn: &mut Conn,
        c: &mut CaseRow,
        input: &StepInput,
    ) -> Result<(), AppError> {
        let user_id = match input.handler_username.as_deref().filter(|u| !u.is_empty()) {
            Some(u) => {
                let id = users::id_by_username(conn, u)
                    .await?
                    .ok_or_else(|| AppError::Invalid(format!("没有账号“{u}”")))?;
                // the handler gains the case: only a department of the
                // case's street or staff who handle cases where it is
                let scope: RegionCode = c
                    .scope
                    .parse()
                    .map_err(|_| AppError::Internal("stored case scope".into()))?;
                let grants = users::grants(conn, id).await?;
                let department = grants
                    .iter()
                    .any(|g| g.role == Role::DepartmentHandler && g.scope.covers(&scope));
                if !department && !allowed(&grants, Permission::HandleCases, &scope) {
                    return Err(bad("只能派给本案件所在街道的部门或本辖区的工作人员"));
                }
                Some(id)
            }
            None => None,
        };
        let (kind, name) = match (input.handler_kind, input.handler_name.as_deref()) {
            (Some(k), Some(n)) if !n.trim().is_empty() => (k, n.trim().to_owned()),
            (Some(k), _) => (k, k.label_zh().to_owned()),
            (None, _) => match setup_store::route_for(conn, c.category_id, &c.scope).await? {
                Some(r) => (
                    r.handler_kind.parse().unwrap_or(HandlerKind::CommunityTeam),
                    r.handler_name,
                ),
                None => (
                    HandlerKind::GridWorker,
                    HandlerKind::GridWorker.label_zh().to_owned(),
                ),
            },
        };
        let user_id = match (user_id, kind) {
            (Some(id), _) => Some(id),
            (None, HandlerKind::GridWorker) => care_cards::grid_workers_over(conn, &c.scope)
                .await?
                .first()
                .copied(),
            _ => None,
        };
        c.handler_kind = Some(kind.as_str().to_owned());
        c.handler_name = Some(
            linli_domain::territory::places::clean_name(&name, 60)
                .map_err(|_| bad("处置主体名称不超过 60 字"))?,
        );
        c.handler_user_id = user_id;
        Ok(())
    }

    /// The reporter hears of dispatch, handling and closing; the handler
    /// of a dispatch to them.
    async fn notify_step(
        &self,
        conn: &mut Conn,
        c: &CaseRow,
        step: Step,
        handler: bool,
        now: UnixMs,
    ) -> Result<(), AppError> {
        let link = format!("/cases/{}", c.id);
        if let Some(r) = c.reporter_id {
            let told = match step {
                Step::Dispatch => Some("您的诉求已派遣处置"),
                Step::Handle => Some("您的诉求已处置,待核查"),
                Step::VerifyPass | Step::CloseOnSpot => Some("您的诉求已办结,请评价"),
                Step::Reject => Some("您的诉求不予受理"),
                Step::Reopen => Some("您的诉求已重新办理"),
                _ => None,
            };
            if let Some(title) = told {
                notifications::notify(conn, r, "case", title, &c.number, Some(&link), now).await?;
            }
        }
        if handler && let Some(h) = c.handler_user_id {
            notifications::notify(
                conn,
                h,
                "case",
                "有新的派遣案件",
                &c.number,
                Some(&link),
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// 评价: the reporter rates a closed case once; 不满意 within 7 days of
    /// closing reopens it (重办).
    pub async fn rate_case(
        &self,
        who: &Principal,
        id: i64,
        rating: Rating,
        comment: &str,
        actor: &Actor,
    ) -> Result<CaseRow, AppError> {
        let mut tx = self.db.begin().await?;
        let c = self
            .rate_in(&mut tx, who, id, (rating, comment), actor, crate::now())
            .await?;
        tx.commit().await?;
        self.ring();
        Ok(c)
    }

    /// [`App::rate_case`] inside the caller's transaction, at `now`.
    pub(crate) async fn rate_in(
        &self,
        tx: &mut Conn,
        who: &Principal,
        id: i64,
        (rating, comment): (Rating, &str),
        actor: &Actor,
        now: UnixMs,
    ) -> Result<CaseRow, AppError> {
        let comment = comment.trim();
        if comment.chars().count() > 500 {
            return Err(bad("评价内容不超过 500 字"));
        }
        let mut c = store::case_for_step(&mut *tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if c.reporter_id != Some(who.user_id) {
            // someone else's case: as if it were not there
            return Err(if reach_of(&mut *tx, who, &c).await.is_ok() {
                bad("只有上报人可以评价")
            } else {
                AppError::NotFound
            });
        }
        let state = parse_state(&c.state)?;
        if state != CaseState::Closed {
            return Err(bad("案件办结后才能评价"));
        }
        if c.rated_at
            .is_some_and(|r| c.closed_at.is_some_and(|cl| r >= cl))
        {
            return Err(bad("已评价过"));
        }
        let before = facts(&c)?;
        let original = c.clone();
        let previous = c.rating.as_deref().and_then(|r| r.parse::<Rating>().ok());
        c.rating = Some(rating.as_str().to_owned());
        c.rating_comment = Some(comment.to_owned()).filter(|s| !s.is_empty());
        c.rated_at = Some(now);
        let mut counts = rules::tally_ratings(previous, rating);
        let reopen = c
            .closed_at
            .is_some_and(|closed| rules::reopens(rating, closed.0, now.0));
        let note = format!(
            "{}{}",
            rating.label_zh(),
            if comment.is_empty() {
                String::new()
            } else {
                format!(":{comment}")
            }
        );
        c.updated_at = now;
        store::update_case(&mut *tx, &c).await?;
        self.record(&mut *tx, &c, "rate", Some(state), &note, true, actor, now)
            .await?;
        if reopen {
            counts.extend(rules::tally(
                &before,
                Step::Reopen,
                now,
                &LoopPolicy::default(),
            ));
            c.state = rules::apply(state, Step::Reopen)
                .map_err(|e| AppError::Invalid(e.to_string()))?
                .as_str()
                .to_owned();
            self.reopen_fields(&mut *tx, &mut c, now).await?;
            store::update_case(&mut *tx, &c).await?;
            self.record(
                &mut *tx,
                &c,
                "reopen",
                Some(state),
                "居民不满意,重办",
                true,
                actor,
                now,
            )
            .await?;
            if let Some(h) = c.handler_user_id {
                let link = format!("/cases/{}", c.id);
                notifications::notify(&mut *tx, h, "case", "案件重办", &c.number, Some(&link), now)
                    .await?;
            }
        }
        count(&mut *tx, &original, &c, &counts).await?;
        audit::append(
            &mut *tx,
            event(
                actor,
                "case.rate",
                format!("case:{}", c.id),
                format!("{} {}", c.number, rating.as_str()),
            ),
            now,
        )
        .await?;
        Ok(c)
    }
}
