//! Changes to the registry: adding and moving residents, their care tags,
//! carers and health notes, and re-sealing every field under a new key.
//! Each is checked against the caller's scope and audited.

use super::{record_of, require, tag_ids};
use crate::accounts::auth::Principal;
use crate::infra::crypto::Field;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, scope_prefixes};
use linli_domain::registry::{DocKind, ResidentRow};
use linli_store::audit;
use linli_store::registry::{self as store};

impl App {
    /// Adds one resident to a dwelling from the sheet's fields.
    pub async fn add_resident(
        &self,
        who: &Principal,
        dwelling_id: i64,
        row: &ResidentRow,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let crypto = self.crypto()?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let (building, community, scope) = store::dwelling_place(&mut tx, dwelling_id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::EditResidents, &scope)?;
        let indexes = crypto.index_all(Field::IdNumber, &row.document.index_text());
        if !store::doc_matches(&mut tx, &indexes).await?.is_empty() {
            // one person, one record — but the answer says only that, never
            // where, and every such answer is on record (it tells whether a
            // number is registered in the deployment)
            let mut refused = event(
                actor,
                "resident.create",
                format!("dwelling:{dwelling_id}"),
                "already_registered".to_owned(),
            );
            refused.outcome = linli_domain::audit::Outcome::Denied;
            audit::append(&mut tx, refused, now).await?;
            tx.commit().await?;
            return Err(AppError::Conflict("已登记,请联系社区办理迁入".into()));
        }
        let household = store::household_for(&mut tx, &community, dwelling_id, now).await?;
        let rec = record_of(crypto, row, (community, household, dwelling_id, building))?;
        let id = store::insert_resident(&mut tx, &rec, now).await?;
        let tag_ids = tag_ids(&mut tx, &row.tags).await?;
        store::set_tags(&mut tx, id, &tag_ids, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "resident.create",
                format!("resident:{id}"),
                format!("dwelling={dwelling_id}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a resident from fields named like the 居民 sheet's columns
    /// (姓名, 证件号码 …); the address fields come from the dwelling.
    pub async fn add_resident_from_fields(
        &self,
        who: &Principal,
        dwelling_id: i64,
        fields: &std::collections::HashMap<String, String>,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let get = |name: &str| {
            linli_domain::registry::RESIDENT_COLUMNS
                .iter()
                .find(|c| c.0 == name)
                .and_then(|(n, syn)| {
                    fields
                        .get(*n)
                        .or_else(|| syn.iter().find_map(|s| fields.get(*s)))
                })
                .map_or("", String::as_str)
        };
        // the address is the dwelling's: fill placeholders the parser accepts
        let cell = |name: &str| match name {
            "小区" | "楼栋" | "单元" => "-",
            "房号" => "0",
            other => get(other),
        };
        let row = ResidentRow::parse(cell, crate::today()).map_err(AppError::Invalid)?;
        self.add_resident(who, dwelling_id, &row, actor).await
    }

    /// 迁居: moves a resident to another dwelling. The caller must be able
    /// to edit both ends; the old scope loses sight of the person at once.
    pub async fn move_resident(
        &self,
        who: &Principal,
        id: i64,
        dwelling_id: i64,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let r = self
            .visible(&mut tx, who, id, Permission::EditResidents)
            .await?;
        let (building, community, scope) = store::dwelling_place(&mut tx, dwelling_id)
            .await?
            .ok_or(AppError::NotFound)?;
        require(who, Permission::EditResidents, &scope)?;
        let household = store::household_for(&mut tx, &community, dwelling_id, now).await?;
        store::move_resident(
            &mut tx,
            id,
            (household, dwelling_id, building),
            &community,
            now,
        )
        .await?;
        let detail = format!(
            "from_dwelling={} to_dwelling={dwelling_id}",
            r.record.dwelling_id
        );
        audit::append(
            &mut tx,
            event(actor, "resident.move", format!("resident:{id}"), detail),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a care tag to the configurable list (community staff and up;
    /// the list is shared by the deployment).
    pub async fn add_care_tag(
        &self,
        who: &Principal,
        name: &str,
        color: &str,
        visit_days: Option<i64>,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        if scope_prefixes(&who.grants, Permission::BulkResidents).is_empty() {
            return Err(AppError::Forbidden);
        }
        let name = linli_domain::territory::places::clean_name(name, 10)
            .map_err(|_| AppError::Invalid("标签名不能为空且不超过 10 字".into()))?;
        if name.contains(['、', ',', ',', ' ']) {
            return Err(AppError::Invalid("标签名不能含顿号、逗号或空格".into()));
        }
        const COLORS: [&str; 8] = [
            "red", "orange", "yellow", "green", "blue", "purple", "grey", "black",
        ];
        if !COLORS.contains(&color) {
            return Err(AppError::Invalid(format!("颜色可为:{}", COLORS.join("、"))));
        }
        if visit_days.is_some_and(|d| !(1..=366).contains(&d)) {
            return Err(AppError::Invalid("走访周期为 1–366 天".into()));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let id = store::ensure_tag(&mut tx, &name, color, visit_days, now).await?;
        audit::append(
            &mut tx,
            event(actor, "care_tag.add", format!("care_tag:{id}"), name),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 包保人: who looks after a tagged person, and how often they visit
    /// (used by grid work); the tag must be on the person.
    pub async fn set_carer(
        &self,
        who: &Principal,
        id: i64,
        tag: &str,
        carer: Option<&str>,
        visit_days: Option<i64>,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let carer = carer.map(str::trim).filter(|c| !c.is_empty());
        if carer.is_some_and(|c| c.chars().count() > 30) {
            return Err(AppError::Invalid("包保人不超过 30 字".into()));
        }
        if visit_days.is_some_and(|d| !(1..=366).contains(&d)) {
            return Err(AppError::Invalid("走访周期为 1–366 天".into()));
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        self.visible(&mut tx, who, id, Permission::EditResidents)
            .await?;
        let tag_id = *tag_ids(&mut tx, &[tag.to_owned()])
            .await?
            .first()
            .ok_or(AppError::NotFound)?;
        if !store::set_carer(&mut tx, id, tag_id, carer, visit_days).await? {
            return Err(AppError::Invalid(format!("该居民没有“{tag}”标签")));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                "resident.carer",
                format!("resident:{id}"),
                format!("tag_id={tag_id}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a person's care tags by name.
    pub async fn set_resident_tags(
        &self,
        who: &Principal,
        id: i64,
        names: &[String],
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        self.visible(&mut tx, who, id, Permission::EditResidents)
            .await?;
        let ids = tag_ids(&mut tx, names).await?;
        store::set_tags(&mut tx, id, &ids, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "resident.tags",
                format!("resident:{id}"),
                // ids, not names: a tag such as 残疾 or 低保 is itself
                // sensitive, and the log is read by auditors, not carers
                format!(
                    "tag_ids={}",
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                ),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records (or clears) a health note, sealed.
    pub async fn set_health_note(
        &self,
        who: &Principal,
        id: i64,
        note: Option<&str>,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let crypto = self.crypto()?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > 500) {
            return Err(AppError::Invalid("健康备注不超过 500 字".into()));
        }
        let sealed = note.map(|n| crypto.seal(Field::Health, n)).transpose()?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        self.visible(&mut tx, who, id, Permission::EditResidents)
            .await?;
        store::set_health(&mut tx, id, sealed.as_deref(), now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "resident.health",
                format!("resident:{id}"),
                String::new(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 密钥轮换: re-seals every personal field with the newest key and
    /// recomputes the blind indexes, 500 residents a transaction. Returns
    /// how many residents were re-sealed.
    pub async fn rotate_keys(&self, actor: &Actor) -> Result<usize, AppError> {
        let crypto = self.crypto()?;
        let mut after = 0;
        let mut done = 0;
        loop {
            let mut tx = self.db.begin().await?;
            let page = store::sealed_page(&mut tx, after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for row in &page {
                let (id, doc, phone, health) = (&row.id, &row.doc, &row.phone, &row.health);
                let stale = crypto.is_stale(doc)
                    || phone.as_deref().is_some_and(|p| crypto.is_stale(p))
                    || health.as_deref().is_some_and(|h| crypto.is_stale(h));
                if !stale {
                    continue;
                }
                let doc_clear = crypto.open(Field::IdNumber, doc)?;
                let kind = DocKind::from_code(&row.doc_kind).unwrap_or(DocKind::Other);
                let index_text = kind.index_text(doc_clear.expose());
                let phone_clear = phone
                    .as_deref()
                    .map(|p| crypto.open(Field::Phone, p))
                    .transpose()?;
                let health_clear = health
                    .as_deref()
                    .map(|h| crypto.open(Field::Health, h))
                    .transpose()?;
                let doc_sealed = crypto.seal(Field::IdNumber, doc_clear.expose())?;
                let doc_index = crypto.index(Field::IdNumber, &index_text);
                let phone_sealed = phone_clear
                    .as_ref()
                    .map(|p| crypto.seal(Field::Phone, p.expose()))
                    .transpose()?;
                let phone_index = phone_clear
                    .as_ref()
                    .map(|p| crypto.index(Field::Phone, p.expose()));
                let health_sealed = health_clear
                    .as_ref()
                    .map(|h| crypto.seal(Field::Health, h.expose()))
                    .transpose()?;
                store::reseal(
                    &mut tx,
                    *id,
                    store::Resealed {
                        doc_sealed: &doc_sealed,
                        doc_index: &doc_index,
                        phone_sealed: phone_sealed.as_deref(),
                        phone_index: phone_index.as_deref(),
                        health_sealed: health_sealed.as_deref(),
                    },
                )
                .await?;
                done += 1;
            }
            tx.commit().await?;
        }
        let mut tx = self.db.begin().await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "keys.rotate",
                "residents".into(),
                format!("resealed={done}"),
            ),
            crate::now(),
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }
}
