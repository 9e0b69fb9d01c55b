// Placeholder: replaced by the RBAC engine.
public enum RBACPlaceholder {}
