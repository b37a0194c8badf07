/**
 * fsmon: watch file-system trees and receive every change as an ordered stream of inotify-style events.
 *
 * <p>Start at {@link io.github.fsmon.FileMonitor}. Only the {@code io.github.fsmon} package is exported;
 * everything under {@code io.github.fsmon.internal} may change without notice.
 *
 * <p>The Linux backend calls inotify, and the opt-in Windows backend kernel32, through the Foreign
 * Function &amp; Memory API, a restricted operation: run with {@code --enable-native-access=io.github.fsmon} (module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (class path) so the JDK prints no warning. An application
 * started with {@code java -jar} can carry the grant in its jar's manifest instead:
 * {@code Enable-Native-Access: ALL-UNNAMED} (the only value the manifest attribute accepts; the library
 * must then be on the class path).
 *
 * <p><b>Java version.</b> fsmon needs a JDK (or JRE) 22 or newer, the first with the Foreign Function
 * &amp; Memory API final; its classes are compiled for Java 22 (class file version 66). On an older JVM,
 * loading them fails with {@code UnsupportedClassVersionError: ... class file version 66.0}: run the
 * application with Java 22 or newer (set {@code JAVA_HOME}, or compile and run with a JDK 22+ toolchain).
 */
module io.github.fsmon {
    exports io.github.fsmon;
}
