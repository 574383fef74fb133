use super::*;

fn accounts() -> (tempfile::TempDir, Accounts) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, Accounts::open(&store).unwrap())
}

fn member(s: &str) -> MemberId {
    s.parse().unwrap()
}

fn only_sakura(m: &MemberId) -> Result<(), String> {
    if m.as_str() == "sakura-bank" {
        Ok(())
    } else {
        Err("not in this hub's roster".into())
    }
}

fn sato() -> NewUser {
    NewUser {
        login: None,
        name: "佐藤".into(),
        member: member("sakura-bank"),
        role: Role::Reviewer,
    }
}

#[test]
fn invite_set_password_login_reset_revoke() {
    let (_d, a) = accounts();
    let issued = a.add(sato(), &only_sakura, 1000).unwrap();
    assert_eq!(issued.user.login, "佐藤");
    assert_eq!(issued.user.status, UserStatus::Invited);
    assert_eq!(
        a.verify("佐藤", "whatever-password"),
        Err(LoginRefused::BadCredentials),
        "no password yet"
    );
    let (u, purpose) = a.by_token(&issued.token, 1001).unwrap();
    assert_eq!((u.login.as_str(), purpose), ("佐藤", TokenPurpose::Invite));

    let e = a.redeem(&issued.token, "short", 1002).unwrap_err();
    assert!(
        matches!(
            e,
            AccountError::Field {
                field: "password",
                ..
            }
        ),
        "{e}"
    );
    let u = a
        .redeem(&issued.token, "さくら銀行の合言葉123", 1002)
        .unwrap();
    assert!(u.is_active());
    assert!(
        matches!(
            a.redeem(&issued.token, "さくら銀行の合言葉123", 1003),
            Err(AccountError::Token)
        ),
        "a link works once"
    );
    assert_eq!(
        a.verify("佐藤", "さくら銀行の合言葉123").unwrap().role,
        Role::Reviewer
    );
    // Full-width letters in the login normalise to the same account.
    assert!(a.verify(" 佐藤 ", "さくら銀行の合言葉123").is_ok());
    assert_eq!(
        a.verify("佐藤", "wrong password!"),
        Err(LoginRefused::BadCredentials)
    );
    assert_eq!(
        a.verify("鈴木", "さくら銀行の合言葉123"),
        Err(LoginRefused::BadCredentials)
    );

    let reset = a.reset("佐藤", 2000).unwrap();
    assert_eq!(
        a.verify("佐藤", "さくら銀行の合言葉123"),
        Err(LoginRefused::BadCredentials),
        "a reset ends the old password"
    );
    a.redeem(&reset.token, "新しい合言葉をここに456", 2001)
        .unwrap();
    assert!(a.verify("佐藤", "新しい合言葉をここに456").is_ok());

    a.revoke("佐藤", 3000).unwrap();
    assert_eq!(
        a.verify("佐藤", "新しい合言葉をここに456"),
        Err(LoginRefused::Revoked)
    );
    assert!(matches!(
        a.reset("佐藤", 3001),
        Err(AccountError::Revoked { .. })
    ));
}

#[test]
fn refusals_name_the_field_and_change_nothing() {
    let (_d, a) = accounts();
    a.add(sato(), &only_sakura, 1).unwrap();
    let cases: Vec<(NewUser, &str)> = vec![
        (sato(), "taken"),
        (
            NewUser {
                member: member("kaede-securities"),
                login: Some("kaede".into()),
                ..sato()
            },
            "kaede-securities",
        ),
        (
            NewUser {
                name: "".into(),
                ..sato()
            },
            "name",
        ),
        (
            NewUser {
                login: Some("a b".into()),
                ..sato()
            },
            "login",
        ),
        (
            NewUser {
                login: Some("a/b".into()),
                ..sato()
            },
            "login",
        ),
    ];
    for (new, want) in cases {
        let e = a.add(new, &only_sakura, 2).unwrap_err().to_string();
        assert!(e.contains(want), "{want}: {e}");
    }
    assert_eq!(a.list().unwrap().len(), 1);
    assert!("owner"
        .parse::<Role>()
        .unwrap_err()
        .to_string()
        .contains("reviewer"));
    assert!(matches!(
        a.revoke("nobody", 3),
        Err(AccountError::UnknownUser { .. })
    ));
}

#[test]
fn links_expire_and_unknown_links_are_refused() {
    let (_d, a) = accounts();
    let issued = a.add(sato(), &only_sakura, 0).unwrap();
    assert!(matches!(
        a.by_token(&issued.token, INVITE_SECS),
        Err(AccountError::Token)
    ));
    assert!(matches!(
        a.by_token("not-a-token", 1),
        Err(AccountError::Token)
    ));
    assert!(matches!(
        a.by_token(&"x".repeat(500), 1),
        Err(AccountError::Token)
    ));
    // A new link replaces the old one.
    let again = a.reset("佐藤", 10).unwrap();
    assert!(matches!(
        a.by_token(&issued.token, 11),
        Err(AccountError::Token)
    ));
    assert_eq!(
        a.by_token(&again.token, 11).unwrap().1,
        TokenPurpose::Invite
    );
    // Nothing secret is in the stored record.
    let stored = format!("{:?}", a.get("佐藤").unwrap().unwrap());
    assert!(!stored.contains(&again.token));
}
