//! Keys, certificates and rosters.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde_json::json;
use tazan_model::MemberId;
use tazan_trust::{
    CertificateAuthority, KeyAnnouncement, KeyPair, PublicKey, Role, Roster, RosterEntry,
    SignedAnnouncement, SignedRoster,
};

use crate::cli::{KeysCmd, PkiCmd, RosterCmd, RosterSigner};

pub(super) fn keys(cmd: KeysCmd) -> Result<ExitCode> {
    match cmd {
        KeysCmd::Generate { home, out } => {
            let path = out.unwrap_or_else(|| tazan::home::resolve(home.home).join("node.key"));
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            let key = KeyPair::generate();
            key.save(&path)?;
            println!("{}  {}  {}", key.key_id(), key.public(), path.display());
        }
        KeysCmd::Rotate {
            home,
            key,
            id,
            out,
            json,
        } => rotate_key(home.home, key, id, out, json)?,
        KeysCmd::Show { file, json } => {
            let key = KeyPair::load(&file)?;
            if json {
                println!(
                    "{}",
                    json!({"key_id": key.key_id().to_string(), "public_key": key.public().to_string()})
                );
            } else {
                println!("key id:     {}\npublic key: {}", key.key_id(), key.public());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn pki(cmd: PkiCmd) -> Result<ExitCode> {
    match cmd {
        PkiCmd::Init { dir, name } => {
            let ca = CertificateAuthority::create(&name)?;
            ca.save(&dir)?;
            println!("created CA `{name}` in {}", dir.display());
        }
        PkiCmd::Issue { ca, id, out, stem } => {
            let id: MemberId = id.parse().context("--id")?;
            let ca = CertificateAuthority::load(&ca)?;
            ca.issue(&id)?.save(&out, &stem)?;
            std::fs::write(out.join("ca.pem"), ca.cert_pem())
                .with_context(|| format!("writing {}", out.join("ca.pem").display()))?;
            println!(
                "issued {stem}.pem and {stem}.key for `{id}` in {}",
                out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn roster(cmd: RosterCmd) -> Result<ExitCode> {
    match cmd {
        RosterCmd::Init {
            group,
            admin_key,
            out,
        } => {
            let admin = KeyPair::load(&admin_key)?;
            let roster = Roster::new(group.parse().context("--group")?, admin.public());
            roster.sign(&admin)?.save(&out)?;
            println!("created roster for `{group}` in {}", out.display());
        }
        RosterCmd::Add {
            signer,
            id,
            name,
            key,
            roles,
        } => {
            let key: PublicKey = key.parse().context("--key")?;
            let roles = roles
                .iter()
                .map(|r| parse_role(r))
                .collect::<Result<Vec<_>>>()?;
            let member: MemberId = id.parse().context("--id")?;
            let serial = edit_roster(&signer, |r| {
                r.add(RosterEntry::new(
                    member,
                    name,
                    key,
                    tazan_trust::now_unix(),
                    roles,
                ))?;
                Ok(())
            })?;
            println!("added `{id}`; roster serial is now {serial}");
            tell_hub(&signer).await?;
        }
        RosterCmd::Revoke { signer, id } => {
            let member: MemberId = id.parse().context("--id")?;
            let serial = edit_roster(&signer, |r| {
                r.revoke(&member, tazan_trust::now_unix())?;
                Ok(())
            })?;
            println!("revoked `{id}`; roster serial is now {serial}");
            tell_hub(&signer).await?;
        }
        RosterCmd::Rotate {
            signer,
            announcement,
            grace,
        } => {
            let grace = parse_duration(&grace).context("--grace")?;
            let signed = SignedAnnouncement::load(&announcement)?;
            let a = &signed.announcement;
            let now = tazan_trust::now_unix();
            let serial = edit_roster(&signer, |r| {
                r.apply_rotation(&signed, grace, now)?;
                Ok(())
            })?;
            println!(
                "rotated `{}`: new key {} signs from {}; old key {} retires at {} (grace {grace} s); roster serial is now {serial}",
                a.member,
                a.new_key.key_id(),
                a.effective_at.min(now),
                a.old_key.key_id(),
                a.effective_at.max(now).saturating_add(grace),
            );
            tell_hub(&signer).await?;
        }
        RosterCmd::RevokeKey {
            signer,
            id,
            key,
            effective,
        } => {
            let member: MemberId = id.parse().context("--id")?;
            let key_id: tazan_model::KeyId = key.parse().context("--key")?;
            let at = match effective.as_deref() {
                Some(t) => parse_time(t).context("--effective")?,
                None => tazan_trust::now_unix(),
            };
            let serial = edit_roster(&signer, |r| {
                r.revoke_key(&member, &key_id, at)?;
                Ok(())
            })?;
            println!(
                "revoked key {key_id} of `{id}` from {at} (unix): entries received earlier keep verifying; roster serial is now {serial}"
            );
            tell_hub(&signer).await?;
        }
        RosterCmd::Show { roster, home, json } => {
            let signed = match roster {
                Some(path) => SignedRoster::load(&path)?,
                None => hub_roster(home.home).await?,
            };
            let r = signed.verify()?;
            if json {
                println!("{}", serde_json::to_string_pretty(r)?);
            } else {
                println!(
                    "group {}  serial {}  admin key {}",
                    r.group,
                    r.serial,
                    r.admin_key.key_id()
                );
                for m in &r.members {
                    let roles: Vec<&str> = m.roles.iter().map(|r| r.as_str()).collect();
                    println!(
                        "  {:<20} {:<8?} {:<24} {}",
                        m.id.as_str(),
                        m.status,
                        roles.join(","),
                        m.display_name
                    );
                    for k in &m.keys {
                        let until = k
                            .revoked_at
                            .map_or_else(|| "current".to_owned(), |at| format!("revoked at {at}"));
                        println!(
                            "  {:<20} key {}  valid from {}  {until}",
                            "",
                            k.key.key_id(),
                            k.valid_from
                        );
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The signed roster the hub of the node in `home` distributes to its members.
async fn hub_roster(home: Option<std::path::PathBuf>) -> Result<SignedRoster> {
    let cfg = super::node_config(home)?;
    let resp = super::hub_client(&cfg)
        .await?
        .roster(tazan_proto::pb::RosterRequest {})
        .await
        .map_err(|s| anyhow::anyhow!("hub roster: {}", s.message()))?
        .into_inner();
    serde_json::from_slice(&resp.signed_roster_json)
        .context("the hub's roster is not a signed roster (signed_roster_json)")
}

fn parse_role(s: &str) -> Result<Role> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "publisher" => Role::Publisher,
        "subscriber" => Role::Subscriber,
        "hub" => Role::Hub,
        "admin" => Role::Admin,
        other => bail!("--role {other:?}: expected publisher, subscriber, hub or admin"),
    })
}

/// Load a roster, check it is signed by `admin_key`, apply `edit`, bump the
/// serial and save it re-signed. Returns the new serial.
fn edit_roster(
    RosterSigner {
        roster, admin_key, ..
    }: &RosterSigner,
    edit: impl FnOnce(&mut Roster) -> Result<()>,
) -> Result<u64> {
    let admin = KeyPair::load(admin_key)?;
    let signed = SignedRoster::load(roster)?;
    let mut r = signed.verify_pinned(&admin.public())?.clone();
    edit(&mut r)?;
    r.serial += 1;
    r.issued_at = tazan_trust::now_unix();
    let serial = r.serial;
    // The roster file is meant to be replaced (atomically, by SignedRoster::save).
    r.sign(&admin)?.save(roster)?;
    Ok(serial)
}

/// Tell the hub serving the roster just written to reload it, and say what happened.
async fn tell_hub(signer: &RosterSigner) -> Result<()> {
    let done = tazan::service::reload_roster(&signer.roster, signer.hub_config.as_deref()).await?;
    println!("{done}");
    Ok(())
}

/// `tazan keys rotate`: new key at the old path, old key kept beside it,
/// announcement signed by both.
fn rotate_key(
    home: Option<PathBuf>,
    key: Option<PathBuf>,
    id: Option<String>,
    out: Option<PathBuf>,
    json: bool,
) -> Result<()> {
    let (path, member) = match key {
        Some(path) => {
            let id = id.context("--key needs --id: the member or hub id the key belongs to")?;
            (path, id.parse::<MemberId>().context("--id")?)
        }
        None => {
            let cfg = super::node_config(home)?;
            // The running node signs with the key it loaded; rotate while it is stopped.
            if cfg.data_dir.join("db").exists() {
                if let Err(e) = tazan_store::Store::open(&cfg.data_dir) {
                    bail!(
                        "node {} is running ({e}); stop it, rotate, then start it so it signs with the new key",
                        cfg.id
                    );
                }
            }
            let member = match id {
                Some(id) => id.parse().context("--id")?,
                None => cfg.id.clone(),
            };
            (cfg.key, member)
        }
    };
    let old = KeyPair::load(&path)?;
    let new = KeyPair::generate();
    let suffixed = |suffix: String| {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        path.with_file_name(name)
    };
    let kept = suffixed(format!(".old-{}", old.key_id()));
    let staged = suffixed(".new".to_owned());
    let out = out.unwrap_or_else(|| suffixed(format!(".rotation-{}.json", new.key_id())));
    for p in [&kept, &staged, &out] {
        if p.exists() {
            bail!(
                "{} exists; move it away first (an earlier rotation may not have finished)",
                p.display()
            );
        }
    }
    let announcement = KeyAnnouncement {
        member: member.clone(),
        old_key: old.public(),
        new_key: new.public(),
        effective_at: tazan_trust::now_unix(),
    }
    .sign(&old, &new)?;
    // Order matters for a crash: the new key and the announcement exist
    // before the old key moves, and the old key is never deleted.
    new.save(&staged)?;
    announcement.save(&out)?;
    std::fs::rename(&path, &kept)
        .with_context(|| format!("moving {} to {}", path.display(), kept.display()))?;
    std::fs::rename(&staged, &path)
        .with_context(|| format!("moving {} to {}", staged.display(), path.display()))?;
    if json {
        println!(
            "{}",
            json!({
                "member": member.to_string(),
                "old_key_id": old.key_id().to_string(),
                "new_key_id": new.key_id().to_string(),
                "public_key": new.public().to_string(),
                "key": path,
                "old_key_file": kept,
                "announcement": out,
            })
        );
    } else {
        println!(
            "new key {} for `{member}` in {}\nold key {} kept as {}\nannouncement: {}\n\
             next: send the announcement to the group admin (`tazan roster rotate --announcement FILE`),\n\
             restart the service so it signs with the new key; delete the old key file once\n\
             `tazan roster show` lists the new key",
            new.key_id(),
            path.display(),
            old.key_id(),
            kept.display(),
            out.display()
        );
    }
    Ok(())
}

/// Seconds from `0`, `3600`, `90s`, `30m`, `24h` or `7d`.
fn parse_duration(s: &str) -> Result<u64> {
    let s = s.trim();
    let (digits, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = digits
        .parse()
        .with_context(|| format!("{s:?} is not a duration like 3600, 30m, 24h or 7d"))?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => bail!("{s:?}: unknown unit {other:?}; use s, m, h or d"),
    };
    Ok(n.saturating_mul(unit))
}

/// Unix seconds from unix seconds, an RFC 3339 time or a date (midnight UTC).
fn parse_time(s: &str) -> Result<u64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(s.parse()?);
    }
    let parsed = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .or_else(|_| {
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(s, &fmt).map(|d| d.midnight().assume_utc())
        })
        .map_err(|_| {
            anyhow::anyhow!(
                "{s:?} is not a time: use unix seconds, 2026-11-01 or 2026-11-01T09:00:00Z"
            )
        })?;
    u64::try_from(parsed.unix_timestamp()).context("times before 1970 are not supported")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_times_parse_or_say_why() {
        assert_eq!(parse_duration("0").unwrap(), 0);
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("24h").unwrap(), 86_400);
        assert_eq!(parse_duration("7d").unwrap(), 604_800);
        assert!(format!("{:#}", parse_duration("2w").unwrap_err()).contains("unknown unit"));
        assert_eq!(parse_time("1700000000").unwrap(), 1_700_000_000);
        assert_eq!(parse_time("2023-11-14T22:13:20Z").unwrap(), 1_700_000_000);
        assert_eq!(parse_time("1970-01-02").unwrap(), 86_400);
        assert!(format!("{:#}", parse_time("yesterday").unwrap_err()).contains("not a time"));
    }
}
