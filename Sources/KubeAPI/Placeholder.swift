/// Placeholder until the client lands.
enum KubeAPIPlaceholder {}
