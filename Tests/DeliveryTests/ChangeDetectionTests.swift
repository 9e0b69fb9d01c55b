import Foundation
import KubeModel
import Testing

@testable import Delivery

@Suite("Secret masking")
struct SecretMaskTests {
    let live = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          namespace: shop
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"b2xkLXBhc3N3b3Jk"}}'
        type: Opaque
        data:
          password: b2xkLXBhc3N3b3Jk
          user: YWRtaW4=
          removed: Z29uZQ==
        """

    @Test("a diff shows which keys were added, removed or changed, never a value")
    func diffMasksEveryValue() throws {
        let liveObject = try object(live)
        let desired = try object(
            """
            kind: Secret
            apiVersion: v1
            metadata: {name: db, namespace: shop}
            type: Opaque
            data:
              password: bmV3LXBhc3N3b3Jk
              user: YWRtaW4=
              added: bmV3LWtleQ==
            """)
        let diff = try #require(ObjectDiff.unifiedDiff(live: liveObject, desired: desired))
        for value in ["b2xkLXBhc3N3b3Jk", "bmV3LXBhc3N3b3Jk", "YWRtaW4=", "Z29uZQ==", "bmV3LWtleQ==", "old-password", "new-password"] {
            #expect(!diff.contains(value), "\(value) is printed")
        }
        #expect(diff.contains("-  password: \"*** (before)\""))
        #expect(diff.contains("+  password: \"*** (after)\""))
        #expect(diff.contains("-  removed: \"***\""))
        #expect(diff.contains("+  added: \"***\""))
        #expect(diff.contains("   user: \"***\""), "an unchanged key is context, masked")
        #expect(ObjectDiff.summary(live: liveObject, desired: desired).fieldsChanged == 3)
    }

    @Test("stringData counts as the base64 data the server stores; a new Secret is all masks")
    func stringData() throws {
        let desired = try object(
            """
            apiVersion: v1
            kind: Secret
            metadata: {name: db, namespace: shop}
            stringData: {password: old-password, user: admin}
            """)
        let liveObject = try object(live)
        let masked = SecretMask.masked(live: liveObject, desired: desired)
        #expect(masked.desired.content[path: ["stringData", "password"]] == "***", "the same value as live: no change")
        #expect(masked.desired.content[path: ["stringData", "user"]] == "***")
        #expect(masked.live?.content[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]] == "***")
        let created = try #require(ObjectDiff.unifiedDiff(live: nil, desired: desired))
        #expect(!created.contains("old-password") && !created.contains("admin\n"))
        let normalized = SecretMask.normalized(desired)
        #expect(normalized.content["stringData"] == nil)
        #expect(normalized.content[path: ["data", "password"]] == .string(Data("old-password".utf8).base64EncodedString()))
        #expect(
            ObjectDiff.isUnchanged(
                live: liveObject,
                desired: try object(
                    """
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: db, namespace: shop}
                    stringData: {password: old-password}
                    """)))
    }

    @Test("objects that are not Secrets are not masked")
    func otherKinds() throws {
        let configMap = try object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: visible}\n")
        #expect(SecretMask.masked(configMap) == configMap)
    }
}

@Suite("Diffs that read well")
struct DiffLayoutTests {
    @Test("fields follow the manifest's order: no line moves because the server orders them otherwise")
    func manifestOrder() throws {
        // The API server writes kind before apiVersion, and its own order inside.
        let live = try object(
            """
            kind: Deployment
            apiVersion: apps/v1
            metadata: {name: web, namespace: shop, labels: {tier: front, app: web}}
            spec:
              template:
                spec:
                  containers:
                  - {name: sidecar, image: "envoy:1"}
                  - {name: web, image: "nginx:1.26", ports: [{containerPort: 80}]}
              replicas: 2
            """)
        let manifest = try object(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, labels: {app: web, tier: front}}
            spec:
              replicas: 3
              template:
                spec:
                  containers:
                  - {image: "nginx:1.27", name: web, ports: [{containerPort: 80}]}
                  - {image: "envoy:1", name: sidecar}
            """)
        let answer = try object(
            """
            kind: Deployment
            apiVersion: apps/v1
            metadata: {name: web, namespace: shop, labels: {tier: front, app: web}}
            spec:
              template:
                spec:
                  containers:
                  - {name: sidecar, image: "envoy:1"}
                  - {name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}
              replicas: 3
            """)
        let diff = try #require(ObjectDiff.unifiedDiff(live: live, desired: answer, manifest: manifest))
        let changed = diff.split(separator: "\n").filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
        #expect(changed.count == 4, "only the two changed values, nothing moved:\n\(diff)")
        #expect(changed.contains("-  replicas: 2") && changed.contains("+  replicas: 3"), "\(diff)")
        #expect(changed.contains { $0.hasPrefix("-") && $0.hasSuffix("image: nginx:1.26") }, "\(diff)")
        #expect(changed.contains { $0.hasPrefix("+") && $0.hasSuffix("image: nginx:1.27") }, "\(diff)")
        #expect(diff.hasPrefix("--- live/Deployment/shop/web\n+++ desired/Deployment/shop/web\n"))
        let body = ObjectDiff.unifiedDiff(live: nil, desired: answer, manifest: manifest) ?? ""
        #expect(body.contains("+apiVersion: apps/v1\n+kind: Deployment\n+metadata:\n"), "apiVersion and kind as in the manifest:\n\(body)")
        #expect(ObjectDiff.summary(live: live, desired: answer, manifest: manifest).fieldsChanged == 2)
    }

    @Test(
        "changed fields are counted once each, list elements paired by name",
        arguments: [
            (#"{"a":1,"b":{"c":2}}"#, #"{"a":1,"b":{"c":3}}"#, 1),
            (#"{"a":1}"#, #"{"a":1,"b":{"c":2,"d":[1,2]}}"#, 3),
            (#"{"c":[{"name":"x","v":1},{"name":"y","v":2}]}"#, #"{"c":[{"name":"new","v":0},{"name":"x","v":1},{"name":"y","v":2}]}"#, 2),
            (#"{"l":[1,2,3]}"#, #"{"l":[1,2]}"#, 1),
            (#"{"a":{}}"#, #"{}"#, 1),
            (#"{"r":2}"#, #"{"r":2.0}"#, 0),
        ])
    func fieldCounts(old: String, new: String, expected: Int) throws {
        let before = try JSONValue.parseJSON(Array(old.utf8), source: "old")
        let after = try JSONValue.parseJSON(Array(new.utf8), source: "new")
        #expect(ObjectDiff.changedFields(before, after) == expected)
    }
}

@Suite("Unchanged detection")
struct UnchangedDetectionTests {
    /// A live Service as kube-apiserver v1.36 returns it after `warrant deploy` applied
    /// `ports: [{port: 80, targetPort: 8080}]` with a label `app: web` (managedFields copied
    /// from the real server: the port's key carries the defaulted protocol).
    let live = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
          labels: {app: web, applyset.kubernetes.io/part-of: applyset-x-v1}
          annotations: {warrant.dev/deploy-record: 20260101T000000Z-00000000}
          managedFields:
          - manager: warrant
            operation: Apply
            apiVersion: v1
            fieldsType: FieldsV1
            fieldsV1:
              f:metadata:
                f:annotations: {f:warrant.dev/deploy-record: {}}
                f:labels: {f:app: {}, f:applyset.kubernetes.io/part-of: {}}
              f:spec:
                f:ports:
                  'k:{"port":80,"protocol":"TCP"}': {.: {}, f:port: {}, f:targetPort: {}}
                f:selector: {}
          - manager: kube-controller-manager
            operation: Update
            subresource: status
            fieldsV1: {f:status: {f:loadBalancer: {}}}
        spec:
          clusterIP: 10.96.0.10
          ports: [{port: 80, protocol: TCP, targetPort: 8080}]
          selector: {app: web}
          type: ClusterIP
        """

    func desired(
        labels: String = "{app: web, applyset.kubernetes.io/part-of: applyset-x-v1}", ports: String = "[{port: 80, targetPort: 8080}]"
    )
        throws -> KubeObject
    {
        try object(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: shop
              labels: \(labels)
              annotations: {warrant.dev/deploy-record: 20260202T000000Z-11111111}
            spec:
              ports: \(ports)
              selector: {app: web}
            """)
    }

    @Test("the same manifest with a new record id is unchanged")
    func same() throws {
        #expect(ObjectDiff.isUnchanged(live: try object(live), desired: try desired(), fieldManager: "warrant"))
    }

    @Test("a label the manifest dropped is a change: the apply would remove it")
    func droppedField() throws {
        let dropped = try desired(labels: "{applyset.kubernetes.io/part-of: applyset-x-v1}")
        #expect(ObjectDiff.isUnchanged(live: try object(live), desired: dropped), "the subset comparison alone misses it")
        #expect(!ObjectDiff.isUnchanged(live: try object(live), desired: dropped, fieldManager: "warrant"))
        #expect(ObjectDiff.isUnchanged(live: try object(live), desired: dropped, fieldManager: "someone-else"), "nothing owned: nothing to drop")
    }

    @Test("a list element the manifest dropped is a change; a defaulted key field is not")
    func keyedElements() throws {
        let liveObject = try object(live)
        #expect(!ObjectDiff.isUnchanged(live: liveObject, desired: try desired(ports: "[]"), fieldManager: "warrant"))
        #expect(!ObjectDiff.isUnchanged(live: liveObject, desired: try desired(ports: "[{port: 81, targetPort: 8080}]"), fieldManager: "warrant"))
        #expect(ObjectDiff.isUnchanged(live: liveObject, desired: try desired(ports: "[{port: 80, protocol: TCP, targetPort: 8080}]"), fieldManager: "warrant"))
    }

    @Test(
        "fieldsV1 coverage",
        arguments: [
            (#"{"f:a":{}}"#, #"{"a":1}"#, true),
            (#"{"f:a":{}}"#, #"{"b":1}"#, false),
            (#"{"f:a":{}}"#, #"{"a":null}"#, true),
            (#"{"f:a":{"f:b":{}}}"#, #"{"a":null}"#, false),
            (#"{"f:a":{".":{},"f:b":{}}}"#, #"{"a":{"b":2}}"#, true),
            (#"{"f:l":{"v:\"x\"":{}}}"#, #"{"l":["y","x"]}"#, true),
            (#"{"f:l":{"v:\"x\"":{}}}"#, #"{"l":["y"]}"#, false),
            (#"{"f:l":{"i:1":{}}}"#, #"{"l":[1,2]}"#, true),
            (#"{"f:l":{"k:{\"name\":\"a\"}":{"f:v":{}},"k:{\"name\":\"b\"}":{}}}"#, #"{"l":[{"name":"b"},{"name":"a","v":1}]}"#, true),
            (#"{"f:l":{"k:{\"name\":\"a\"}":{"f:v":{}}}}"#, #"{"l":[{"name":"a"}]}"#, false),
            (#"{"f:l":{"k:{\"p\":1,\"q\":\"T\"}":{},"k:{\"p\":1,\"q\":\"U\"}":{}}}"#, #"{"l":[{"p":1}]}"#, false),
            (#"{"x:unknown":{}}"#, #"{}"#, false),
        ])
    func coverage(fields: String, value: String, expected: Bool) throws {
        let tree = try JSONValue.parseJSON(Array(fields.utf8), source: "fields")
        let object = try JSONValue.parseJSON(Array(value.utf8), source: "value")
        #expect(ManagedFields.isCovered(tree, by: object) == expected)
    }

    @Test("a dry run's answer equal but for server metadata, status and the record annotation is the same object")
    func sameObject() throws {
        let liveObject = try object(live)
        var answer = liveObject
        answer.content.setValue("999", at: ["metadata", "resourceVersion"])
        answer.content.setValue("20260202T000000Z-11111111", at: ["metadata", "annotations", ObjectDiff.recordAnnotation])
        answer.content.setValue(.array([]), at: ["metadata", "managedFields"])
        answer.content["status"] = ["loadBalancer": [:]]
        #expect(ObjectDiff.isSameObject(live: liveObject, applied: answer))
        answer.content.setValue("None", at: ["spec", "sessionAffinity"])
        #expect(!ObjectDiff.isSameObject(live: liveObject, applied: answer))
    }
}
