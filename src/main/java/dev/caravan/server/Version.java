package dev.caravan.server;

/** Caravan's version as packaged (from the jar manifest), for serverInfo. */
final class Version {
    static final String CURRENT = current();

    private Version() {
    }

    private static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
