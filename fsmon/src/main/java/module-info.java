/**
 * fsmon: watch file-system trees and receive every change as an ordered stream of inotify-style events.
 *
 * <p>Start at {@link io.github.fsmon.FileMonitor}. Only the {@code io.github.fsmon} package is exported;
 * everything under {@code io.github.fsmon.internal} may change without notice.
 *
 * <p>The Linux backend calls inotify, and the opt-in Windows backend kernel32, through the Foreign
 * Function &amp; Memory API, a restricted operation: run with {@code --enable-native-access=io.github.fsmon} (module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (class path) so the JDK prints no warning.
 */
module io.github.fsmon {
    exports io.github.fsmon;
}
