import Crypto
import Foundation
import SwiftASN1
import X509

/// The server's own certificate authority: it signs the serving certificate and client
/// certificates, all P-256, generated in memory when the server starts.
struct CertificateAuthority: Sendable {
    let certificate: Certificate
    let key: P256.Signing.PrivateKey
    let certificatePEM: String

    /// A new CA named `warrant-test-ca`, valid for a day.
    init() throws {
        let key = P256.Signing.PrivateKey()
        self.key = key
        let name = try DistinguishedName { CommonName("warrant-test-ca") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        self.certificate = certificate
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// A leaf certificate signed by the CA, with its private key, both PEM.
    ///
    /// - Parameters:
    ///   - subject: the subject (for a client: `CN=user, O=group...`, as kube-apiserver reads it).
    ///   - server: `true` for the serving certificate (SANs IP 127.0.0.1 and DNS localhost, serverAuth).
    func issue(subject: DistinguishedName, server: Bool) throws -> (certificatePEM: String, privateKeyPEM: String) {
        let leafKey = P256.Signing.PrivateKey()
        let now = Date()
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([server ? .serverAuth : .clientAuth])
            AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            if server {
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
            }
        }
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: .init(key))
        return (try leaf.serializeAsPEM().pemString, leafKey.pemRepresentation)
    }

    /// The user a client certificate names: the common name, and the organizations as groups
    /// (kube-apiserver's x509 authenticator, `k8s.io/apiserver/pkg/authentication/request/x509/x509.go` `CommonNameUserConversion`).
    static func user(fromDER bytes: [UInt8]) -> (name: String, groups: [String])? {
        guard let certificate = try? Certificate(derEncoded: bytes) else { return nil }
        var name: String?
        var groups: [String] = []
        for rdn in certificate.subject {
            for attribute in rdn {
                guard let value = String(attribute.value) else { continue }
                if attribute.type == .RDNAttributeType.commonName { name = value }
                if attribute.type == .RDNAttributeType.organizationName { groups.append(value) }
            }
        }
        guard let name, !name.isEmpty else { return nil }
        return (name, groups)
    }
}
