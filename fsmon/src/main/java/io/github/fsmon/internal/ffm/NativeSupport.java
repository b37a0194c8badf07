package io.github.fsmon.internal.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * Small shared helpers for {@code java.lang.foreign}: linking downcalls with the OS error captured in the
 * same call, reading it back, and C strings.
 */
public final class NativeSupport {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final System.Logger LOG = System.getLogger("io.github.fsmon");

    private NativeSupport() {
    }

    /**
     * Links {@code name} from {@code lookup}. When {@code captureState} is non-null (for example
     * {@code "errno"} or {@code "GetLastError"}), the handle takes a call-state segment as its first
     * argument, into which the linker stores that value right after the call, before anything else on
     * the thread can overwrite it.
     */
    @SuppressWarnings("restricted") // the module is run with native access enabled; see module-info
    public static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                        String captureState) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("native symbol not found: " + name));
        return captureState == null
                ? LINKER.downcallHandle(symbol, descriptor)
                : LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState(captureState));
    }

    /**
     * Links a variadic function: arguments from index {@code firstVariadic} on are passed as C's
     * default argument promotions require, which on some ABIs differs from fixed arguments.
     */
    @SuppressWarnings("restricted")
    public static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                        String captureState, int firstVariadic) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("native symbol not found: " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.firstVariadicArg(firstVariadic),
                Linker.Option.captureCallState(captureState));
    }

    /** Like {@link #downcall(SymbolLookup, String, FunctionDescriptor, String)}, or null when the symbol is missing. */
    public static MethodHandle optionalDowncall(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                                String captureState) {
        return lookup.find(name).isPresent() ? downcall(lookup, name, descriptor, captureState) : null;
    }

    /**
     * For a downcall's {@code catch (Throwable t)}: a method handle declares {@code Throwable}, but a
     * downcall only throws what the JVM throws, so unchecked ones go on as they are.
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /** The C library and the rest of the process's default symbols. */
    public static SymbolLookup defaultLookup() {
        return LINKER.defaultLookup();
    }

    /** Allocates a segment for captured call state. */
    public static MemorySegment allocateCallState(Arena arena) {
        return arena.allocate(Linker.Option.captureStateLayout());
    }

    /** Reads one captured value ({@code "errno"}, {@code "GetLastError"}, ...) from a call-state segment. */
    public static int capturedValue(MemorySegment callState, String name) {
        StructLayout layout = Linker.Option.captureStateLayout();
        VarHandle handle = layout.varHandle(MemoryLayout.PathElement.groupElement(name));
        return (int) handle.get(callState, 0L);
    }

    /** A NUL-terminated UTF-8 copy of {@code s}. */
    public static MemorySegment cString(Arena arena, String s) {
        return arena.allocateFrom(s, StandardCharsets.UTF_8);
    }

    /** A NUL-terminated copy of {@code bytes} (a path's exact bytes, which need not be UTF-8). */
    public static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
        return s;
    }

    /**
     * Whether this module may call restricted methods without a warning. When it may not, logs once the
     * exact flag to add, and returns {@code false}; the calls still work unless the JVM denies them.
     */
    public static boolean checkNativeAccess() {
        Module module = NativeSupport.class.getModule();
        if (module.isNativeAccessEnabled()) {
            return true;
        }
        if (!warned) {
            warned = true;
            String flag = nativeAccessFlag();
            LOG.log(System.Logger.Level.INFO, "fsmon calls the OS through the Foreign Function & Memory API; "
                    + "run java with " + flag + " to allow it without a warning");
        }
        return false;
    }

    /** The java option that grants this library native access, as it is loaded now. */
    public static String nativeAccessFlag() {
        Module module = NativeSupport.class.getModule();
        return module.isNamed() ? "--enable-native-access=" + module.getName() : "--enable-native-access=ALL-UNNAMED";
    }

    private static volatile boolean warned;
}
