import KubeModel

extension ClusterConnection {
    /// ``server`` without user information (`https://user:password@host` → `https://host`): the
    /// form to print or record. Requests still go to ``server`` as configured.
    public var displayServer: String { URLUserInfo.stripped(server) }
}
