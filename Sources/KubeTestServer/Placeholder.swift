/// Placeholder until the server lands.
enum KubeTestServerPlaceholder {}
