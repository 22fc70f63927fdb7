use linli_domain::access::AccessError;
use linli_domain::accounts::AccountError;
use linli_store::StoreError;

/// The service layer's one error type. Messages are Chinese: they are
/// shown to people as they are.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{0}")]
    Invalid(String),
    #[error("用户名或密码错误")]
    BadCredentials,
    #[error("登录失败次数过多,账号已锁定,请 {minutes} 分钟后再试")]
    Locked { minutes: i64 },
    /// a per-user limit was reached (number searches, reveals)
    #[error("{0}")]
    TooMany(String),
    #[error("账号已停用,请联系管理员")]
    Disabled,
    #[error("没有权限")]
    Forbidden,
    #[error("未找到")]
    NotFound,
    #[error("已存在: {0}")]
    Conflict(String),
    #[error("storage: {0}")]
    Store(StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => AppError::Conflict(what),
            other => AppError::Store(other),
        }
    }
}
