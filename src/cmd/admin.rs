//! Keys, certificates and rosters.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde_json::json;
use tazan_model::MemberId;
use tazan_trust::{
    CertificateAuthority, KeyPair, PublicKey, Role, Roster, RosterEntry, SignedRoster,
};

use crate::cli::{KeysCmd, PkiCmd, RosterCmd};

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

pub(super) fn roster(cmd: RosterCmd) -> Result<ExitCode> {
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
            roster,
            admin_key,
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
            let serial = edit_roster(&roster, &admin_key, |r| {
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
        }
        RosterCmd::Revoke {
            roster,
            admin_key,
            id,
        } => {
            let member: MemberId = id.parse().context("--id")?;
            let serial = edit_roster(&roster, &admin_key, |r| {
                r.revoke(&member, tazan_trust::now_unix())?;
                Ok(())
            })?;
            println!("revoked `{id}`; roster serial is now {serial}");
        }
        RosterCmd::Show { roster, json } => {
            let signed = SignedRoster::load(&roster)?;
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
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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
    roster: &Path,
    admin_key: &Path,
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
