//! One certificate authority per admitting hub, issuing member certificates
//! whose DNS name is the member id; and reading that id back from a peer.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyUsagePurpose, SanType,
};
use tazan_model::MemberId;
use time::{Duration, OffsetDateTime};
use x509_parser::extensions::GeneralName;
use zeroize::Zeroizing;

use crate::{files, TrustError};

/// CA certificate file in a CA directory.
const CA_CERT_FILE: &str = "ca.pem";
/// CA key file in a CA directory.
const CA_KEY_FILE: &str = "ca.key";
const CA_VALIDITY_DAYS: i64 = 3653;
const LEAF_VALIDITY_DAYS: i64 = 731;
/// Backdating of `not_before`, for peers whose clocks run a little slow.
const CLOCK_SKEW: Duration = Duration::hours(1);

/// A hub's certificate authority: a self-signed ECDSA P-256 certificate
/// and its key, both PEM.
///
/// `Debug` shows the certificate subject only, never the key.
pub struct CertificateAuthority {
    cert_pem: String,
    key_pem: Zeroizing<String>,
}

impl CertificateAuthority {
    /// A new CA with common name `name`, valid for 10 years, allowed to
    /// issue leaf certificates only (path length 0).
    pub fn create(name: &str) -> Result<CertificateAuthority, TrustError> {
        let action = || format!("create CA {name:?}");
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "tazan");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - CLOCK_SKEW;
        params.not_after = now + Duration::days(CA_VALIDITY_DAYS);
        let key = rcgen::KeyPair::generate().map_err(|e| TrustError::pki(action(), e))?;
        let cert = params
            .self_signed(&key)
            .map_err(|e| TrustError::pki(action(), e))?;
        Ok(CertificateAuthority {
            cert_pem: cert.pem(),
            key_pem: Zeroizing::new(key.serialize_pem()),
        })
    }

    /// Write `ca.pem` (certificate) and `ca.key` (PKCS#8 key, 0600) into
    /// `dir`, creating it if needed. Refuses if either file exists.
    pub fn save(&self, dir: &Path) -> Result<(), TrustError> {
        std::fs::create_dir_all(dir).map_err(|e| TrustError::io("create directory", dir, e))?;
        let cert = dir.join(CA_CERT_FILE);
        let key = dir.join(CA_KEY_FILE);
        files::ensure_absent(&[&cert, &key])?;
        files::create_secret(&key, self.key_pem.as_bytes())?;
        files::create_public(&cert, self.cert_pem.as_bytes())
    }

    /// Read `ca.pem` and `ca.key` from `dir`; refuses a key file others can
    /// read (unix) and a key that does not match the certificate.
    pub fn load(dir: &Path) -> Result<CertificateAuthority, TrustError> {
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        let cert_pem = files::read_text(&cert_path)?;
        let key_pem = files::read_secret(&key_path)?;
        let key = rcgen::KeyPair::from_pem(&key_pem).map_err(|e| TrustError::FileFormat {
            path: key_path.clone(),
            expected: "a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)",
            reason: e.to_string(),
        })?;
        let der = first_cert_der(&cert_pem).ok_or_else(|| TrustError::FileFormat {
            path: cert_path.clone(),
            expected: "a PEM certificate (-----BEGIN CERTIFICATE-----)",
            reason: "no certificate found".to_owned(),
        })?;
        let (_, x509) =
            x509_parser::parse_x509_certificate(&der).map_err(|e| TrustError::FileFormat {
                path: cert_path.clone(),
                expected: "an X.509 CA certificate",
                reason: e.to_string(),
            })?;
        if x509.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
            return Err(TrustError::pki(
                format!("load the CA in {}", dir.display()),
                format!(
                    "{} is not the key of the certificate in {}; restore the matching pair",
                    key_path.display(),
                    cert_path.display()
                ),
            ));
        }
        Ok(CertificateAuthority { cert_pem, key_pem })
    }

    /// The CA certificate, PEM: what peers put in their trust store.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// Issue a certificate and fresh ECDSA P-256 key for member `id`, valid
    /// 2 years for both TLS server and client authentication.
    ///
    /// Subject alternative names: DNS `id` (the TLS identity read back by
    /// [`identity_from_cert`]), DNS `localhost` and IP `127.0.0.1`, so a
    /// server can be reached on loopback under the name `localhost`.
    pub fn issue(&self, id: &MemberId) -> Result<IssuedCert, TrustError> {
        let action = || format!("issue a certificate for {id}");
        if id.as_str() == "localhost" {
            return Err(TrustError::pki(
                action(),
                "`localhost` is reserved for loopback and cannot be a member id",
            ));
        }
        let ca_key =
            rcgen::KeyPair::from_pem(&self.key_pem).map_err(|e| TrustError::pki(action(), e))?;
        let issuer = Issuer::from_ca_cert_pem(&self.cert_pem, ca_key)
            .map_err(|e| TrustError::pki(action(), e))?;
        let dns = |name: &str| {
            name.to_owned()
                .try_into()
                .map(SanType::DnsName)
                .map_err(|e| TrustError::pki(action(), e))
        };
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, id.as_str());
        params.subject_alt_names = vec![
            dns(id.as_str())?,
            dns("localhost")?,
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        ];
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.use_authority_key_identifier_extension = true;
        let now = OffsetDateTime::now_utc();
        params.not_before = now - CLOCK_SKEW;
        params.not_after = now + Duration::days(LEAF_VALIDITY_DAYS);
        let key = rcgen::KeyPair::generate().map_err(|e| TrustError::pki(action(), e))?;
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| TrustError::pki(action(), e))?;
        Ok(IssuedCert {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

impl fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = first_cert_der(&self.cert_pem)
            .and_then(|der| {
                x509_parser::parse_x509_certificate(&der)
                    .ok()
                    .map(|(_, c)| c.subject().to_string())
            })
            .unwrap_or_default();
        write!(f, "CertificateAuthority({subject})")
    }
}

/// A member's certificate and private key, both PEM.
///
/// `Debug` never shows the key.
#[derive(Clone)]
pub struct IssuedCert {
    /// The leaf certificate (`-----BEGIN CERTIFICATE-----`), without the CA.
    pub cert_pem: String,
    /// Its PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`). Secret.
    pub key_pem: String,
}

impl IssuedCert {
    /// Write `<stem>.pem` and `<stem>.key` (0600) into `dir`, creating it if
    /// needed. Refuses if either file exists.
    pub fn save(&self, dir: &Path, stem: &str) -> Result<(), TrustError> {
        std::fs::create_dir_all(dir).map_err(|e| TrustError::io("create directory", dir, e))?;
        let cert = dir.join(format!("{stem}.pem"));
        let key = dir.join(format!("{stem}.key"));
        files::ensure_absent(&[&cert, &key])?;
        files::create_secret(&key, self.key_pem.as_bytes())?;
        files::create_public(&cert, self.cert_pem.as_bytes())
    }
}

impl fmt::Debug for IssuedCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCert")
            .field("cert_pem", &format_args!("{} bytes", self.cert_pem.len()))
            .field("key_pem", &format_args!("<secret>"))
            .finish()
    }
}

/// The TLS identity in a peer certificate (DER), as tonic's
/// `Request::peer_certs()` presents it: the first DNS subject alternative
/// name that is a valid [`MemberId`] and not `localhost`.
///
/// This reads the certificate only; the TLS layer must already have
/// verified it against the hub's CA.
pub fn identity_from_cert(der: &[u8]) -> Result<MemberId, TrustError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| TrustError::pki("read the peer certificate", e))?;
    let san = cert
        .subject_alternative_name()
        .map_err(|e| TrustError::pki("read the peer certificate's subject alternative names", e))?;
    let mut found = Vec::new();
    for name in san.iter().flat_map(|ext| ext.value.general_names.iter()) {
        if let GeneralName::DNSName(dns) = name {
            if *dns != "localhost" {
                if let Ok(id) = dns.parse::<MemberId>() {
                    return Ok(id);
                }
            }
            found.push((*dns).to_owned());
        }
    }
    Err(TrustError::NoIdentity { found })
}

fn first_cert_der(pem: &str) -> Option<Vec<u8>> {
    rustls_pemfile::certs(&mut pem.as_bytes())
        .next()
        .and_then(Result::ok)
        .map(|der| der.to_vec())
}

#[cfg(test)]
mod tests;
