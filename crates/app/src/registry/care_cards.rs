//! 防走失二维码 (seed 002: "60岁以上老人胸前都挂上了专属防走失二维码").
//!
//! Staff issue a card to a resident; it carries a revocable random token
//! (128 bits) in a URL. Anyone who scans it sees, without logging in, a
//! masked name, the age, the community and its hotline, and the medical
//! note only when the resident consented. The guardian — by relation
//! (女儿, 儿子 …), never by name — and their phone show after a human check:
//! the four digits printed beside the QR code, which a leaked link does not
//! carry. Each check is single-use, and a card answers at most
//! [`CHECKS_PER_HOUR`] checks an hour. A reveal is logged (with a coarse
//! place when the scanner shares it) and the guardian and the grid workers
//! are notified in the app. Issuing again or revoking kills the old code.

use crate::accounts::auth::Principal;
use crate::infra::crypto::{Field, hmac_sm3};
use crate::{Actor, App, AppError, event};
use linli_domain::access::Permission;
use linli_domain::registry::{Phone, age_on, mask_name, parse_date};
use linli_domain::secret::{Secret, sm3_hex};
use linli_store::registry::care_cards::{self as store, Card, NewCard, Scan};
use linli_store::{accounts::users, audit, registry, territory::regions};

/// What staff give when issuing a card.
#[derive(Debug, Clone)]
pub struct CardInput {
    pub guardian_name: String,
    /// one of [`RELATIONS`]: what the public page names the guardian by
    pub guardian_relation: String,
    pub guardian_phone: String,
    /// the community's hotline printed on the card and shown on its page
    pub hotline: String,
    /// the resident's separate consent to show the medical note publicly
    pub medical_consent: bool,
    /// the guardian's own account, to notify them in the app
    pub guardian_username: Option<String>,
}

/// A new card: the token is shown this once, to be printed.
#[derive(Debug)]
pub struct IssuedCard {
    pub card_id: i64,
    pub token: Secret,
    /// the four digits printed beside the QR code (the human check)
    pub check_code: Secret,
}

/// What the public page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicCard {
    pub masked_name: String,
    pub age: i32,
    pub community: String,
    pub hotline: String,
    /// 女儿, 儿子 …
    pub guardian_relation: String,
    pub medical_note: Option<String>,
}

/// A human check: a question and the signed state to send back.
#[derive(Debug, Clone, PartialEq)]
pub struct Challenge {
    pub question: String,
    pub state: String,
}

/// The guardian, shown after the check: by relation, with the phone.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardianContact {
    pub relation: String,
    pub phone: String,
    pub hotline: String,
}

/// How long a human check stays valid.
const CHECK_SECS: i64 = 600;
/// Checks a card answers in an hour, right or wrong: a finder needs one or
/// two; guessing the printed digits would take thousands.
pub const CHECKS_PER_HOUR: i64 = 5;
/// Whom a card may name as the guardian.
pub const RELATIONS: [&str; 9] = [
    "女儿",
    "儿子",
    "配偶",
    "孙子女",
    "兄弟姐妹",
    "其他亲属",
    "邻居",
    "护工",
    "家属",
];

/// The stored form of a card's printed digits.
fn check_hash(card_nonce: &str, code: &str) -> String {
    sm3_hex(format!("{card_nonce}|{code}").as_bytes())
}

fn bad_card() -> AppError {
    AppError::NotFound
}

impl App {
    async fn card_for_token(
        &self,
        conn: &mut linli_store::Conn,
        token: &str,
    ) -> Result<Card, AppError> {
        let token = token.trim();
        if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad_card());
        }
        let card = store::card_by_token_hash(conn, &sm3_hex(token.to_ascii_lowercase().as_bytes()))
            .await?
            .ok_or_else(bad_card)?;
        if card.revoked_at.is_some() {
            return Err(bad_card());
        }
        Ok(card)
    }

    /// 发放防走失卡: revokes the resident's earlier cards and issues one.
    pub async fn issue_card(
        &self,
        who: &Principal,
        resident_id: i64,
        input: &CardInput,
        actor: &Actor,
    ) -> Result<IssuedCard, AppError> {
        let crypto = self.crypto()?;
        let guardian = linli_domain::territory::places::clean_name(&input.guardian_name, 30)
            .map_err(|_| AppError::Invalid("监护人姓名不能为空且不超过 30 字".into()))?;
        let relation = input.guardian_relation.trim();
        if !RELATIONS.contains(&relation) {
            return Err(AppError::Invalid(format!(
                "与老人的关系可为:{}",
                RELATIONS.join("、")
            )));
        }
        let phone =
            Phone::parse(&input.guardian_phone).map_err(|e| AppError::Invalid(e.to_string()))?;
        let hotline = Phone::parse(&input.hotline)
            .map_err(|_| AppError::Invalid("社区服务电话格式不正确".into()))?;
        let token = crate::infra::secrets::random_hex_128()?;
        let check_code = Secret::new(random_digits()?);
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let r = self
            .visible(&mut tx, who, resident_id, Permission::EditResidents)
            .await?;
        let guardian_user_id = match input.guardian_username.as_deref().filter(|u| !u.is_empty()) {
            Some(u) => Some(
                users::id_by_username(&mut tx, u)
                    .await?
                    .ok_or_else(|| AppError::Invalid(format!("没有账号“{u}”")))?,
            ),
            None => None,
        };
        store::revoke_cards(&mut tx, resident_id, now).await?;
        let card_id = store::insert_card(
            &mut tx,
            &NewCard {
                resident_id,
                community: r.record.community.as_str(),
                token_hash: &sm3_hex(token.expose().as_bytes()),
                guardian_name: &guardian,
                guardian_relation: relation,
                // salted by the token's hash: equal digits on two cards
                // never look alike
                check_hash: &check_hash(&sm3_hex(token.expose().as_bytes()), check_code.expose()),
                guardian_phone_sealed: &crypto.seal(Field::Phone, phone.expose())?,
                guardian_phone_masked: &phone.masked(),
                guardian_user_id,
                hotline: hotline.expose(),
                medical_consent: input.medical_consent,
                issued_by: actor.id,
            },
            now,
        )
        .await?;
        let detail = format!("card={card_id} medical_consent={}", input.medical_consent);
        audit::append(
            &mut tx,
            event(
                actor,
                "card.issue",
                format!("resident:{resident_id}"),
                detail,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedCard {
            card_id,
            token,
            check_code,
        })
    }

    /// 挂失/注销: revokes the resident's cards at once.
    pub async fn revoke_card(
        &self,
        who: &Principal,
        resident_id: i64,
        actor: &Actor,
    ) -> Result<u64, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        self.visible(&mut tx, who, resident_id, Permission::EditResidents)
            .await?;
        let n = store::revoke_cards(&mut tx, resident_id, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "card.revoke",
                format!("resident:{resident_id}"),
                format!("revoked={n}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// A resident's cards and latest scans, for staff in scope.
    pub async fn card_history(
        &self,
        who: &Principal,
        resident_id: i64,
    ) -> Result<(Vec<Card>, Vec<Scan>), AppError> {
        let mut conn = self.db.conn().await?;
        self.visible(&mut conn, who, resident_id, Permission::ViewResidents)
            .await?;
        let cards = store::cards_of(&mut conn, resident_id).await?;
        let scans = store::scans_of(&mut conn, resident_id, 50).await?;
        Ok((cards, scans))
    }

    /// The public page of a scanned card (no login); the scan is logged.
    /// A revoked or unknown token is "not found", never a hint which.
    pub async fn scan_card(&self, token: &str) -> Result<(PublicCard, Challenge), AppError> {
        self.card_page(token, true).await
    }

    /// The public page again (after a check), without logging another scan.
    pub async fn card_page_again(&self, token: &str) -> Result<(PublicCard, Challenge), AppError> {
        self.card_page(token, false).await
    }

    async fn card_page(&self, token: &str, log: bool) -> Result<(PublicCard, Challenge), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let card = self.card_for_token(&mut tx, token).await?;
        let r = registry::resident_by_id(&mut tx, card.resident_id)
            .await?
            .ok_or_else(bad_card)?;
        let community = regions::get(&mut tx, &r.record.community)
            .await?
            .map_or_else(|| r.record.community.to_string(), |g| g.name);
        let medical_note = match (&r.record.health_sealed, card.medical_consent) {
            (Some(sealed), true) => Some(
                self.crypto()?
                    .open(Field::Health, sealed)?
                    .expose()
                    .to_owned(),
            ),
            _ => None,
        };
        if log {
            store::insert_scan(&mut tx, card.id, false, None, now).await?;
        }
        tx.commit().await?;
        let age = parse_date(&r.record.birth_date).map_or(0, |b| age_on(b, crate::today()));
        let page = PublicCard {
            masked_name: mask_name(&r.record.name),
            age,
            community,
            hotline: card.hotline.clone(),
            guardian_relation: card.guardian_relation.clone(),
            medical_note,
        };
        Ok((page, self.challenge(&card, now)?))
    }

    fn sign(&self, card_id: i64, nonce: &str, answer: u64, expires: i64) -> String {
        let data = format!("{card_id}|{nonce}|{answer}|{expires}");
        hex::encode(&hmac_sm3(&self.check_key, data.as_bytes())[..16])
    }

    /// A single-use check: the printed digits, or (a card from before
    /// them) a sum, whose answer the signature carries.
    fn challenge(
        &self,
        card: &Card,
        now: linli_domain::time::UnixMs,
    ) -> Result<Challenge, AppError> {
        let nonce = crate::infra::secrets::random_hex_128()?;
        let expires = now.0 / 1000 + CHECK_SECS;
        let (question, answer) = if card.check_hash.is_some() {
            ("请输入卡上二维码下方印的 4 位数字".to_owned(), 0)
        } else {
            let mut b = [0u8; 2];
            let _ = getrandom::fill(&mut b);
            let (x, y) = (u64::from(b[0] % 9) + 1, u64::from(b[1] % 9) + 1);
            (format!("{x} 加 {y} 等于几?"), x + y)
        };
        let nonce = nonce.expose();
        Ok(Challenge {
            question,
            state: format!(
                "{expires}.{nonce}.{}",
                self.sign(card.id, nonce, answer, expires)
            ),
        })
    }

    /// 联系监护人: after the human check, the guardian's relation and
    /// phone. The check is spent whatever the answer, a card answers at
    /// most [`CHECKS_PER_HOUR`] an hour, and a reveal is logged with the
    /// place rounded to ~100 m when given; the guardian and the grid
    /// workers over the resident are notified.
    pub async fn reveal_guardian(
        &self,
        token: &str,
        answer: &str,
        state: &str,
        at: Option<(f64, f64)>,
    ) -> Result<GuardianContact, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let card = self.card_for_token(&mut tx, token).await?;
        let wrong = || AppError::Invalid("验证未通过,请刷新页面重新作答".into());
        let mut parts = state.splitn(3, '.');
        let (Some(expires), Some(nonce), Some(sig)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(wrong());
        };
        let expires: i64 = expires.parse().map_err(|_| wrong())?;
        let typed = linli_domain::territory::places::normalise_cell(answer);
        let signed_for = match &card.check_hash {
            Some(_) => 0,
            None => typed.parse().map_err(|_| wrong())?,
        };
        if expires < now.0 / 1000 || self.sign(card.id, nonce, signed_for, expires) != sig {
            return Err(wrong());
        }
        let hour_ago = linli_domain::time::UnixMs(now.0 - 3_600_000);
        // one check at a time per card: parallel answers see each other
        store::lock_card(&mut tx, card.id).await?;
        if store::checks_since(&mut tx, card.id, hour_ago).await? >= CHECKS_PER_HOUR {
            return Err(AppError::TooMany(format!(
                "本卡一小时内的查看次数已满,请拨打社区服务电话 {}",
                card.hotline
            )));
        }
        let passed = match &card.check_hash {
            Some(h) => {
                *h == check_hash(
                    &sm3_hex(token.trim().to_ascii_lowercase().as_bytes()),
                    &typed,
                )
            }
            // a card from before the printed digits: its link alone would
            // be enough, so it shows the hotline only until it is reissued
            None => {
                return Err(AppError::Invalid(format!(
                    "这张卡需要社区重新发放,请拨打社区服务电话 {}",
                    card.hotline
                )));
            }
        };
        if !store::spend_check(&mut tx, nonce, card.id, passed, now).await? {
            return Err(AppError::Invalid(
                "这次验证已用过,请刷新页面重新作答".into(),
            ));
        }
        if !passed {
            // the spent check counts: commit it, then refuse
            tx.commit().await?;
            return Err(AppError::Invalid(
                "数字不对,请核对卡上二维码下方的 4 位数字后重试".into(),
            ));
        }
        let coarse = at
            .filter(|(lng, lat)| (-180.0..=180.0).contains(lng) && (-90.0..=90.0).contains(lat))
            .map(|(lng, lat)| {
                (
                    (lng * 1000.0).round() / 1000.0,
                    (lat * 1000.0).round() / 1000.0,
                )
            });
        let phone = self
            .crypto()?
            .open(Field::Phone, &card.guardian_phone_sealed)?;
        store::insert_scan(&mut tx, card.id, true, coarse, now).await?;
        let r = registry::resident_by_id(&mut tx, card.resident_id)
            .await?
            .ok_or_else(bad_card)?;
        let place = coarse.map_or_else(
            || "扫码人未提供位置".to_owned(),
            |(x, y)| format!("位置约 {x},{y}"),
        );
        let body = format!(
            "{} 的防走失卡被扫描,扫码人查看了监护人电话({place})。",
            r.record.name
        );
        let mut notify = store::grid_workers_over(&mut tx, r.scope.as_str()).await?;
        notify.extend(card.guardian_user_id);
        notify.sort_unstable();
        notify.dedup();
        let link = format!("/residents/{}", r.id);
        for user in notify {
            linli_store::notifications::notify(
                &mut tx,
                user,
                "card.scan",
                "防走失卡被扫描",
                &body,
                Some(&link),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.ring();
        Ok(GuardianContact {
            relation: card.guardian_relation,
            phone: phone.expose().to_owned(),
            hotline: card.hotline,
        })
    }
}

/// Four random digits, each from a uniform byte (values ≥ 250 are drawn
/// again so no digit is likelier than another).
fn random_digits() -> Result<String, AppError> {
    let mut out = String::with_capacity(4);
    while out.len() < 4 {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("random: {e}")))?;
        for x in b.into_iter().filter(|x| *x < 250) {
            if out.len() < 4 {
                out.push(char::from(b'0' + x % 10));
            }
        }
    }
    Ok(out)
}
