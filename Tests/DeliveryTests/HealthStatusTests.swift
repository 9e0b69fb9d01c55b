import Foundation
import KubeModel
import Testing

@testable import Delivery

/// Cases after cli-utils' `pkg/kstatus/status/status_test.go` tables, as YAML.
private let healthCases: [(String, String, HealthStatus, String)] = [
    (
        "deployment available",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, generation: 2}
        spec: {replicas: 2, progressDeadlineSeconds: 600}
        status:
          observedGeneration: 2
          replicas: 2
          updatedReplicas: 2
          readyReplicas: 2
          availableReplicas: 2
          conditions:
          - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
          - {type: Available, status: "True"}
        """, .current, "Deployment is available. Replicas: 2"
    ),
    (
        "deployment generation not observed",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, generation: 3}
        status: {observedGeneration: 2}
        """, .inProgress, "Deployment generation is 3, but latest observed generation is 2"
    ),
    (
        "deployment too few ready",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec: {replicas: 3}
        status: {replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 1}
        """, .inProgress, "Ready: 1/3"
    ),
    (
        "deployment replicas absent means 1",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        status:
          replicas: 1
          updatedReplicas: 1
          readyReplicas: 1
          availableReplicas: 1
          conditions: [{type: Available, status: "True"}]
        """, .current, "Deployment is available. Replicas: 1"
    ),
    (
        "deployment progress deadline exceeded",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec: {replicas: 1, progressDeadlineSeconds: 60}
        status:
          replicas: 1
          conditions: [{type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: 'ReplicaSet "web-1" has timed out progressing.'}]
        """, .failed, #"Progress deadline exceeded: ReplicaSet "web-1" has timed out progressing."#
    ),
    (
        "deployment old pods terminating",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec: {replicas: 1}
        status: {replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1}
        """, .inProgress, "Pending termination: 1"
    ),
    (
        "statefulset current",
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec: {replicas: 2}
        status: {replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, currentRevision: r1, updateRevision: r1}
        """, .current, "All replicas scheduled as expected. Replicas: 2"
    ),
    (
        "statefulset revision pending",
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec: {replicas: 2}
        status: {replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 1, currentRevision: r1, updateRevision: r2}
        """, .inProgress, "Waiting for updated revision to match current"
    ),
    (
        "statefulset partition",
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec: {replicas: 3, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}}
        status: {replicas: 3, readyReplicas: 3, updatedReplicas: 1}
        """, .current, "Partition rollout complete. updated: 1"
    ),
    (
        "daemonset without desired number",
        """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        status: {}
        """, .inProgress, "Missing .status.desiredNumberScheduled"
    ),
    (
        "daemonset ready",
        """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        status: {desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberReady: 3}
        """, .current, "All replicas scheduled as expected. Replicas: 3"
    ),
    (
        "replicaset failure",
        """
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: web-1}
        status: {conditions: [{type: ReplicaFailure, status: "True"}]}
        """, .inProgress, "Replica Failure condition. Check Pods"
    ),
    (
        "pod ready",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        status: {phase: Running, conditions: [{type: Ready, status: "True"}]}
        """, .current, "Pod is Ready"
    ),
    (
        "pod crash looping",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        status:
          phase: Running
          containerStatuses: [{name: app, state: {waiting: {reason: CrashLoopBackOff}}}]
        """, .failed, "Containers in CrashLoop state: app"
    ),
    (
        "pod failed phase",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        status: {phase: Failed}
        """, .failed, "Pod has completed, but not successfully"
    ),
    (
        "pod unschedulable past the window",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p, creationTimestamp: "2025-01-02T03:00:00Z"}
        status: {phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}
        """, .failed, "Pod could not be scheduled"
    ),
    (
        "pod unschedulable within the window",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p, creationTimestamp: "2025-01-02T03:03:55Z"}
        status: {phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}
        """, .inProgress, "Pod has not been scheduled"
    ),
    (
        "job complete",
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate}
        spec: {completions: 1}
        status: {succeeded: 1, startTime: "2025-01-02T03:00:00Z", conditions: [{type: Complete, status: "True"}]}
        """, .current, "Job Completed. succeeded: 1/1"
    ),
    (
        "job failed",
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate}
        status: {failed: 6, startTime: "2025-01-02T03:00:00Z", conditions: [{type: Failed, status: "True", message: Job has reached the specified backoff limit}]}
        """, .failed, "Job Failed. failed: 6/1 (Job has reached the specified backoff limit)"
    ),
    (
        "job not started",
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate}
        """, .inProgress, "Job not started"
    ),
    (
        "pvc pending",
        """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        status: {phase: Pending}
        """, .inProgress, "PVC is not Bound. phase: Pending"
    ),
    (
        "pvc bound",
        """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        status: {phase: Bound}
        """, .current, "PVC is Bound"
    ),
    (
        "loadbalancer without ingress",
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {type: LoadBalancer, clusterIP: 10.0.0.1}
        """, .inProgress, "LoadBalancer has no ingress address yet"
    ),
    (
        "loadbalancer with ingress",
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {type: LoadBalancer, clusterIP: 10.0.0.1}
        status: {loadBalancer: {ingress: [{ip: 192.0.2.1}]}}
        """, .current, "Service is ready"
    ),
    (
        "crd established",
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        status: {conditions: [{type: NamesAccepted, status: "True"}, {type: Established, status: "True"}]}
        """, .current, "CRD is established"
    ),
    (
        "crd names rejected",
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        status: {conditions: [{type: NamesAccepted, status: "False", reason: MultipleNamesNotAllowed, message: names conflict}]}
        """, .failed, "names conflict"
    ),
    (
        "custom resource stalled",
        """
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        status: {conditions: [{type: Stalled, status: "True", reason: Broken, message: cannot reconcile}]}
        """, .failed, "cannot reconcile"
    ),
    (
        "custom resource reconciling",
        """
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        status: {conditions: [{type: Reconciling, status: "True", message: working}]}
        """, .inProgress, "working"
    ),
    (
        "custom resource not ready",
        """
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        status: {conditions: [{type: Ready, status: "False", message: waiting for certificate}]}
        """, .inProgress, "waiting for certificate"
    ),
    (
        "custom resource without status",
        """
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        """, .current, "Resource is current"
    ),
    (
        "terminating",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c, deletionTimestamp: "2025-01-02T03:00:00Z"}
        """, .terminating, "Resource scheduled for deletion"
    ),
]

@Suite("Health")
struct HealthStatusTests {
    @Test("kstatus rules", arguments: healthCases)
    func health(name: String, yaml: String, status: HealthStatus, message: String) throws {
        let result = HealthStatus.compute(try object(yaml), now: fixedDate)
        #expect(result.status == status, "\(name): \(result)")
        #expect(result.message == message, "\(name)")
    }

    @Test("a missing object is NotFound")
    func notFound() {
        #expect(HealthStatus.compute(nil).status == .notFound)
        #expect(HealthStatus.notFound.isFinal && !HealthStatus.inProgress.isFinal)
    }
}

@Suite("Pod failures")
struct PodFailureTests {
    let events = """
        apiVersion: v1
        kind: Event
        metadata: {name: e1}
        involvedObject: {kind: Pod, name: web-1}
        reason: Pulling
        message: Pulling image "registry.example/web:1.0"
        lastTimestamp: "2025-01-02T03:00:01Z"
        ---
        apiVersion: v1
        kind: Event
        metadata: {name: e2}
        involvedObject: {kind: Pod, name: web-1}
        reason: Failed
        message: 'Failed to pull image "registry.example/web:1.0": not found'
        count: 4
        lastTimestamp: "2025-01-02T03:00:09Z"
        ---
        apiVersion: events.k8s.io/v1
        kind: Event
        metadata: {name: e3}
        regarding: {kind: Pod, name: web-1}
        reason: BackOff
        note: Back-off pulling image
        eventTime: "2025-01-02T03:00:05Z"
        ---
        apiVersion: v1
        kind: Event
        metadata: {name: e4}
        involvedObject: {kind: Pod, name: other}
        message: unrelated
        """

    @Test(
        "waiting reasons fail fast, with the pod's newest events",
        arguments: [
            "ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "CreateContainerConfigError",
        ])
    func waiting(reason: String) throws {
        let pod = try object(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1}
            status:
              phase: Pending
              initContainerStatuses: [{name: init, state: {terminated: {exitCode: 0}}}]
              containerStatuses:
              - {name: app, state: {waiting: {reason: \(reason), message: details}}}
              - {name: sidecar, state: {running: {}}}
            """)
        let failures = PodFailure.detect(pods: [pod], events: try objects(events), now: fixedDate)
        #expect(failures.count == 1)
        let failure = try #require(failures.first)
        #expect(failure.pod == "web-1" && failure.container == "app" && failure.reason == reason)
        #expect(failure.message == "details")
        #expect(
            failure.events == [
                #"Pulling: Pulling image "registry.example/web:1.0""#, "BackOff: Back-off pulling image",
                #"Failed: Failed to pull image "registry.example/web:1.0": not found (×4)"#,
            ])
    }

    @Test("a crash loop reports the last exit")
    func crashLoop() throws {
        let pod = try object(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1}
            status:
              phase: Running
              containerStatuses:
              - name: app
                state: {waiting: {reason: CrashLoopBackOff, message: back-off 40s restarting failed container}}
                lastState: {terminated: {reason: Error, exitCode: 1}}
            """)
        let failure = try #require(PodFailure.detect(pods: [pod]).first)
        #expect(failure.message == "back-off 40s restarting failed container (last run: Error, exit code 1)")
    }

    @Test("unschedulable pods fail after the schedule window")
    func unschedulable() throws {
        let pod = try object(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1, creationTimestamp: "2025-01-02T03:00:00Z"}
            status:
              phase: Pending
              conditions: [{type: PodScheduled, status: "False", reason: Unschedulable, message: 0/3 nodes are available}]
            """)
        let failure = try #require(PodFailure.detect(pods: [pod], now: fixedDate).first)
        #expect(failure.reason == "Unschedulable" && failure.message == "0/3 nodes are available" && failure.container == nil)
        #expect(PodFailure.detect(pods: [pod], now: Date(timeIntervalSince1970: 1_735_786_805)).isEmpty)
    }

    @Test("a failed Job names its failed pod and exit code")
    func failedJob() throws {
        let job = try object(
            """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: migrate}
            status: {failed: 1, conditions: [{type: Failed, status: "True", message: Job has reached the specified backoff limit}]}
            """)
        let pod = try object(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: migrate-x, labels: {batch.kubernetes.io/job-name: migrate}}
            status:
              phase: Failed
              containerStatuses: [{name: migrate, state: {terminated: {reason: Error, exitCode: 3}}}]
            """)
        let failure = try #require(PodFailure.detect(pods: [pod], jobs: [job]).first)
        #expect(failure.pod == "migrate-x" && failure.container == "migrate" && failure.reason == "JobFailed")
        #expect(failure.message == "Job has reached the specified backoff limit; Error, exit code 3")
        #expect(PodFailure.detect(pods: [], jobs: [job]).first?.pod == "migrate")
    }

    @Test("healthy and starting pods are no failures")
    func healthy() throws {
        let pod = try object(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1}
            status: {phase: Pending, containerStatuses: [{name: app, state: {waiting: {reason: ContainerCreating}}}]}
            """)
        #expect(PodFailure.detect(pods: [pod]).isEmpty)
    }
}
