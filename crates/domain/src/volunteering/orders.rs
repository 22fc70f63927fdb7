//! 三单制: a resident orders a service (点单), the community's branch
//! dispatches it to a member or volunteer (派单), they accept or decline
//! (接单), do it and mark it done with what they did and how long it took,
//! and the resident confirms and rates it (评价). Hours and points are
//! credited at the rating, once.

use super::VolunteeringError;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    /// 待派单
    Ordered,
    /// 待接单
    Dispatched,
    /// 服务中
    Accepted,
    /// 待评价
    Done,
    /// 已评价
    Rated,
    /// 已取消
    Cancelled,
}

/// The error of an unknown name.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NameError {
    #[error("未知的{what}:{got}")]
    Unknown { what: &'static str, got: String },
}

named_enum!(OrderState, NameError, "服务单状态",
    Ordered => "ordered", "待派单",
    Dispatched => "dispatched", "待接单",
    Accepted => "accepted", "服务中",
    Done => "done", "待评价",
    Rated => "rated", "已评价",
    Cancelled => "cancelled", "已取消",
);

/// What someone does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    /// staff give it to a volunteer
    Dispatch,
    /// the volunteer takes it
    Accept,
    /// the volunteer cannot take it; back to staff
    Decline,
    /// the volunteer took it but cannot do it; back to staff
    Unable,
    /// the volunteer did it
    Finish,
    /// the resident rates it
    Rate,
    /// the resident or staff withdraw it before work starts
    Cancel,
}

named_enum!(OrderAction, NameError, "操作",
    Dispatch => "dispatch", "派单",
    Accept => "accept", "接单",
    Decline => "decline", "婉拒",
    Unable => "unable", "无法完成",
    Finish => "finish", "办结",
    Rate => "rate", "评价",
    Cancel => "cancel", "取消",
);

/// Who the person acting is to the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Party {
    pub requester: bool,
    pub assignee: bool,
    pub staff: bool,
}

/// The state after `action`, when `who` may take it from `state`.
pub fn next(
    state: OrderState,
    action: OrderAction,
    who: Party,
) -> Result<OrderState, VolunteeringError> {
    use OrderAction as A;
    use OrderState as S;
    let refused = VolunteeringError::Refused;
    match (state, action) {
        (S::Ordered | S::Dispatched, A::Dispatch) if who.staff => Ok(S::Dispatched),
        (S::Dispatched, A::Accept) if who.assignee => Ok(S::Accepted),
        (S::Dispatched, A::Decline) if who.assignee => Ok(S::Ordered),
        (S::Accepted, A::Unable) if who.assignee => Ok(S::Ordered),
        (S::Accepted, A::Finish) if who.assignee => Ok(S::Done),
        (S::Done, A::Rate) if who.requester => Ok(S::Rated),
        (S::Ordered | S::Dispatched, A::Cancel) if who.requester || who.staff => Ok(S::Cancelled),
        (S::Rated | S::Cancelled, _) => Err(refused("这张服务单已经结束")),
        (_, A::Rate) if who.requester => Err(refused("服务办结后才能评价")),
        (_, A::Rate) => Err(refused("只有点单的居民本人可以评价")),
        (_, A::Cancel) => Err(refused("服务已经开始,不能取消;请联系社区")),
        (_, A::Dispatch) if who.staff => Err(refused("已有人接单,不能再派")),
        (_, A::Dispatch) => Err(refused("只有社区可以派单")),
        (_, A::Accept | A::Decline) if who.assignee => Err(refused("这张单已经处理过了")),
        (_, A::Finish | A::Unable) if who.assignee => Err(refused("接单后才能办结")),
        _ => Err(refused("这张单没有派给您")),
    }
}

/// 满意 / 基本满意 / 不满意.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    Satisfied,
    Basic,
    Unsatisfied,
}

named_enum!(Rating, NameError, "评价",
    Satisfied => "satisfied", "满意",
    Basic => "basic", "基本满意",
    Unsatisfied => "unsatisfied", "不满意",
);

/// The most minutes one order credits (a typo of 24 h is refused; longer
/// work is an activity with check-in).
pub const MAX_ORDER_MINUTES: i64 = 4 * 60;

/// Points earned per hour of service.
pub const POINTS_PER_HOUR: i64 = 10;

/// The minutes a volunteer reports for an order: 1 ..= [`MAX_ORDER_MINUTES`].
pub fn order_minutes(minutes: i64) -> Result<i64, VolunteeringError> {
    if (1..=MAX_ORDER_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(VolunteeringError::Refused(
            "服务时长应在 1 分钟到 4 小时之间",
        ))
    }
}

/// Points for a rated order: [`POINTS_PER_HOUR`] a full hour and pro rata
/// (at least 1 for any service), all of it when 满意, half when 基本满意,
/// none when 不满意 — "实施效果由服务对象评定" (汉阳). The hours are
/// credited whatever the rating: they are a record of service given.
pub fn order_points(minutes: i64, rating: Rating) -> i64 {
    if minutes <= 0 {
        return 0;
    }
    let base = (minutes * POINTS_PER_HOUR / 60).max(1);
    match rating {
        Rating::Satisfied => base,
        Rating::Basic => base / 2,
        Rating::Unsatisfied => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderAction as A;
    use OrderState as S;

    const STAFF: Party = Party {
        requester: false,
        assignee: false,
        staff: true,
    };
    const ME: Party = Party {
        requester: false,
        assignee: true,
        staff: false,
    };
    const RESIDENT: Party = Party {
        requester: true,
        assignee: false,
        staff: false,
    };

    #[test]
    fn the_three_orders_go_round() {
        let s = next(S::Ordered, A::Dispatch, STAFF).unwrap();
        assert_eq!(s, S::Dispatched);
        assert_eq!(next(s, A::Decline, ME), Ok(S::Ordered));
        let s = next(s, A::Accept, ME).unwrap();
        assert_eq!(next(s, A::Unable, ME), Ok(S::Ordered));
        let s = next(s, A::Finish, ME).unwrap();
        assert_eq!(next(s, A::Rate, RESIDENT), Ok(S::Rated));
    }

    #[test]
    fn nobody_acts_out_of_turn() {
        assert!(next(S::Ordered, A::Dispatch, RESIDENT).is_err());
        assert!(next(S::Ordered, A::Dispatch, ME).is_err());
        assert!(next(S::Dispatched, A::Accept, RESIDENT).is_err());
        assert!(next(S::Dispatched, A::Accept, STAFF).is_err());
        assert!(
            next(S::Done, A::Rate, ME).is_err(),
            "a rating by someone else"
        );
        assert!(next(S::Done, A::Rate, STAFF).is_err());
        assert!(next(S::Accepted, A::Rate, RESIDENT).is_err());
        assert!(next(S::Rated, A::Rate, RESIDENT).is_err(), "rated twice");
        assert!(next(S::Accepted, A::Cancel, RESIDENT).is_err());
        assert_eq!(next(S::Dispatched, A::Cancel, RESIDENT), Ok(S::Cancelled));
        assert!(next(S::Cancelled, A::Dispatch, STAFF).is_err());
        for a in OrderAction::ALL {
            for s in [S::Rated, S::Cancelled] {
                let all = Party {
                    requester: true,
                    assignee: true,
                    staff: true,
                };
                assert!(next(s, *a, all).is_err(), "{s:?} {a:?} is final");
            }
        }
    }

    #[test]
    fn points_follow_the_rating_hours_do_not() {
        assert_eq!(order_points(90, Rating::Satisfied), 15);
        assert_eq!(order_points(90, Rating::Basic), 7);
        assert_eq!(order_points(90, Rating::Unsatisfied), 0);
        assert_eq!(order_points(3, Rating::Satisfied), 1);
        assert_eq!(order_points(0, Rating::Satisfied), 0);
        assert!(order_minutes(0).is_err());
        assert!(order_minutes(24 * 60).is_err());
        assert_eq!(order_minutes(240), Ok(240));
    }
}
