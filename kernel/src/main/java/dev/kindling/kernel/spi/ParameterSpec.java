package dev.kindling.kernel.spi;

/** One named parameter a provider accepts, for help texts and for building from JSON. */
public record ParameterSpec(String name, String type, Object defaultValue, boolean required, String description) {
    public static ParameterSpec required(String name, String type, String description) {
        return new ParameterSpec(name, type, null, true, description);
    }

    public static ParameterSpec optional(String name, String type, Object defaultValue, String description) {
        return new ParameterSpec(name, type, defaultValue, false, description);
    }

    @Override
    public String toString() {
        // optional without a default: "name:type?" (e.g. OneCycleLR's totalSteps, given in one of several ways)
        return name + ":" + type + (required ? "" : defaultValue == null ? "?" : "=" + defaultValue);
    }
}
