package io.github.fsmon.churn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A random workload on a small tree, decided by a seed alone: create, append, delete, rename a file (also
 * over another file), {@code mkdir}, {@code mkdir -p} 3 to 6 deep with a file at the bottom, {@code rm -r},
 * rename a directory (also over an empty one), move out of the tree and in from outside, a directory
 * replaced by a file of the same name and the reverse. Names come from a pool of twelve, so they are
 * reused all the time. Nothing sleeps: the operations run as fast as the file system takes them.
 *
 * <p>Why a plain {@link SplittableRandom} and not a property-testing library: a failing run cannot be
 * shrunk cheaply (each attempt is a real file-system run whose outcome depends on how far the watcher
 * lagged), so what matters is that the seed alone replays the same operations. The generator decides
 * every operation from the seed and from its own exact copy of the tree (the <em>shadow</em>, kept up to
 * date by each operation it performs), never from what the disk or the watcher did, so a seed means the
 * same operations on every file system and every run. An operation whose random target does not exist or
 * does not fit (a rename of a directory into itself, over a non-empty directory, a file where a
 * directory is needed) is skipped and counted; the decision is taken on the shadow, so no operation is
 * ever tried and failed on disk.
 *
 * <p>The layout: {@code base/w} is the watched tree, {@code base/outside} an unwatched sibling that
 * entries are moved out to and in from. The log of performed operations is written in the syntax of
 * the scenario scripts, with paths relative to {@code base}, so a failing run reads as a script.
 */
public final class ChurnWorkload {
    /** The reused names: every entry of the tree is named from this pool. */
    static final List<String> NAMES = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l");
    /** The tree is kept small: past this many entries the next operation removes a top-level directory. */
    static final int MAX_ENTRIES = 160;
    /** No path deeper than this many names. */
    static final int MAX_DEPTH = 8;

    /** The kinds of operation, with their weights (out of the total). */
    public enum Op {
        CREATE_FILE(14), APPEND(10), DELETE_FILE(8), RENAME_FILE(14), MKDIR(8), MKDIR_P(6), RM_R(5),
        RENAME_DIR(10), MOVE_OUT(5), MOVE_IN(6), DIR_TO_FILE(4), FILE_TO_DIR(4);

        final int weight;

        Op(int weight) {
            this.weight = weight;
        }
    }

    private static final int TOTAL_WEIGHT = java.util.Arrays.stream(Op.values()).mapToInt(o -> o.weight).sum();

    private final SplittableRandom random;
    private final Path base;
    private final Path root;
    private final Path outside;
    /** The tree under {@code root} as this generator made it: relative path to "is a directory". */
    private final TreeMap<String, Boolean> shadow = new TreeMap<>();
    /** Names under {@code outside} that hold something moved out of the tree, for moving back in. */
    private final List<String> movedOut = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final Map<Op, Integer> performed = new EnumMap<>(Op.class);
    private final Map<Op, Integer> skipped = new EnumMap<>(Op.class);
    private int renamesInside;
    private int setupLines;
    private int outsideCounter;
    private int textCounter;

    /**
     * @param seed the seed that decides everything
     * @param base an empty directory: the tree is made at {@code base/w}, the outside at {@code base/outside}
     */
    public ChurnWorkload(long seed, Path base) {
        this.random = new SplittableRandom(seed);
        this.base = base;
        this.root = base.resolve("w");
        this.outside = base.resolve("outside");
    }

    /** The watched tree's root, {@code base/w}. */
    public Path root() {
        return root;
    }

    /**
     * Makes the initial tree (decided by the seed): four to six top-level directories with files and a
     * subdirectory each, and a few files at the top. Logged as the script's set-up.
     */
    public void buildInitialTree() throws IOException {
        Files.createDirectories(root);
        Files.createDirectories(outside);
        log.add("mkdir w outside");
        int dirs = 4 + random.nextInt(3);
        for (int i = 0; i < dirs; i++) {
            String d = NAMES.get(i);
            mkdir(d);
            for (int f = 0; f < 1 + random.nextInt(3); f++) {
                writeNew(d + "/" + NAMES.get(6 + f));
            }
            String sub = d + "/" + NAMES.get(random.nextInt(NAMES.size()));
            if (!shadow.containsKey(sub)) {
                mkdir(sub);
                writeNew(sub + "/" + NAMES.get(random.nextInt(NAMES.size())));
            }
        }
        for (int f = 0; f < 2; f++) {
            String name = NAMES.get(dirs + f);
            writeNew(name);
        }
        setupLines = log.size();
    }

    /**
     * Runs {@code count} random operations (performed or skipped), stopping early, with an
     * {@link IllegalStateException}, once {@code deadlineNanos} ({@link System#nanoTime()}) has passed.
     */
    public void run(int count, long deadlineNanos) throws IOException {
        for (int i = 0; i < count; i++) {
            if ((i & 63) == 0 && System.nanoTime() - deadlineNanos > 0) {
                throw new IllegalStateException("the workload did not finish in time: " + i + " of " + count
                        + " operations done");
            }
            Op op = shadow.size() > MAX_ENTRIES ? Op.RM_R : pick();
            boolean done = switch (op) {
                case CREATE_FILE -> createFile();
                case APPEND -> append();
                case DELETE_FILE -> deleteFile();
                case RENAME_FILE -> renameFile();
                case MKDIR -> mkdirOne();
                case MKDIR_P -> mkdirDeep();
                case RM_R -> removeTree(shadow.size() > MAX_ENTRIES);
                case RENAME_DIR -> renameDir();
                case MOVE_OUT -> moveOut();
                case MOVE_IN -> moveIn();
                case DIR_TO_FILE -> dirToFile();
                case FILE_TO_DIR -> fileToDir();
            };
            (done ? performed : skipped).merge(op, 1, Integer::sum);
        }
    }

    private Op pick() {
        int r = random.nextInt(TOTAL_WEIGHT);
        for (Op op : Op.values()) {
            r -= op.weight;
            if (r < 0) {
                return op;
            }
        }
        throw new AssertionError();
    }

    // ---- the operations: each decides on the shadow, then does it on disk, logs it and updates the shadow

    private boolean createFile() throws IOException {
        String p = child(randomDir(), randomName());
        if (p == null || shadow.containsKey(p)) {
            return false;
        }
        writeNew(p);
        return true;
    }

    private boolean append() throws IOException {
        String p = random.nextBoolean() ? randomEntry(false) : child(randomDir(), randomName());
        if (p == null || !Boolean.FALSE.equals(shadow.get(p))) {
            return false;
        }
        String text = text();
        Files.writeString(abs(p), text + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        log.add("echo " + text + " >> " + w(p));
        return true;
    }

    private boolean deleteFile() throws IOException {
        String p = random.nextBoolean() ? randomEntry(false) : child(randomDir(), randomName());
        if (p == null || !Boolean.FALSE.equals(shadow.get(p))) {
            return false;
        }
        Files.delete(abs(p));
        log.add("rm " + w(p));
        shadow.remove(p);
        return true;
    }

    private boolean renameFile() throws IOException {
        String from = randomEntry(false);
        // Over an existing file four times in ten; otherwise a pool name in a random directory.
        String to = random.nextInt(10) < 4 ? randomEntry(false) : child(randomDir(), randomName());
        if (from == null || to == null || from.equals(to) || Boolean.TRUE.equals(shadow.get(to))) {
            return false; // rename(2) of a file over a directory fails
        }
        move(from, to);
        renamesInside++;
        return true;
    }

    private boolean mkdirOne() throws IOException {
        String p = child(randomDir(), randomName());
        if (p == null || shadow.containsKey(p)) {
            return false;
        }
        mkdir(p);
        return true;
    }

    /** {@code mkdir -p} three to six names deep below a shallow directory, then a file at the bottom. */
    private boolean mkdirDeep() throws IOException {
        String start = randomDirUpTo(MAX_DEPTH - 7);
        int depth = 3 + random.nextInt(4);
        String p = start;
        List<String> made = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            p = p.isEmpty() ? randomName() : p + "/" + randomName();
            Boolean dir = shadow.get(p);
            if (Boolean.FALSE.equals(dir)) {
                return false; // a file in the way: mkdir -p would fail
            }
            if (dir == null) {
                made.add(p);
            }
        }
        String file = p + "/" + randomName();
        if (made.isEmpty() || shadow.containsKey(file)) {
            return false;
        }
        Files.createDirectories(abs(p));
        log.add("mkdir -p " + w(p));
        made.forEach(m -> shadow.put(m, true));
        writeNew(file);
        return true;
    }

    private boolean removeTree(boolean forced) throws IOException {
        String p = forced ? randomTopDir() : randomEntry(true);
        if (p == null) {
            return false;
        }
        deleteTree(p);
        return true;
    }

    private boolean renameDir() throws IOException {
        String from = randomEntry(true);
        // Over an existing empty directory three times in ten; otherwise a pool name in a random directory.
        String to = random.nextInt(10) < 3 ? randomEmptyDir() : child(randomDir(), randomName());
        if (from == null || to == null || from.equals(to) || to.startsWith(from + "/")) {
            return false; // not into itself
        }
        Boolean target = shadow.get(to);
        if (Boolean.FALSE.equals(target) || (target != null && !isEmptyDir(to))) {
            return false; // over a file, or over a non-empty directory: rename(2) fails
        }
        if (depthOf(to) + subtreeDepth(from) > MAX_DEPTH) {
            return false;
        }
        move(from, to);
        renamesInside++;
        return true;
    }

    private boolean moveOut() throws IOException {
        String from = randomEntry(random.nextBoolean());
        if (from == null) {
            return false;
        }
        String name = "out" + (outsideCounter++);
        Files.move(abs(from), outside.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        log.add("mv " + w(from) + " outside/" + name);
        removeSubtree(from);
        movedOut.add(name);
        return true;
    }

    /**
     * Moves in a subtree prepared outside just before (a file, or a directory with files and a
     * subdirectory), or, one time in three, something moved out earlier.
     */
    private boolean moveIn() throws IOException {
        String to = child(randomDir(), randomName());
        if (to == null || shadow.containsKey(to) || depthOf(to) + 2 > MAX_DEPTH) {
            return false;
        }
        String name;
        if (!movedOut.isEmpty() && random.nextInt(3) == 0) {
            int i = random.nextInt(movedOut.size());
            name = movedOut.get(i);
            Map<String, Boolean> arriving = walkRelative(outside.resolve(name));
            int depth = arriving.keySet().stream().mapToInt(ChurnWorkload::depthOf).max().orElse(0);
            if (depthOf(to) + depth > MAX_DEPTH) {
                return false;
            }
            movedOut.remove(i);
        } else {
            name = "in" + (outsideCounter++);
            prepareOutside(name);
        }
        Path from = outside.resolve(name);
        boolean directory = Files.isDirectory(from);
        Map<String, Boolean> arriving = walkRelative(from);
        Files.move(from, abs(to), StandardCopyOption.ATOMIC_MOVE);
        log.add("mv outside/" + name + " " + w(to));
        shadow.put(to, directory);
        arriving.forEach((k, v) -> shadow.put(to + "/" + k, v));
        return true;
    }

    private void prepareOutside(String name) throws IOException {
        Path p = outside.resolve(name);
        String o = "outside/" + name;
        if (random.nextInt(4) == 0) {
            String text = text();
            Files.writeString(p, text + "\n", StandardCharsets.UTF_8);
            log.add("echo " + text + " > " + o);
            return;
        }
        String sub = randomName();
        Files.createDirectories(p.resolve(sub));
        log.add("mkdir -p " + o + "/" + sub);
        for (String f : List.of(randomName(), randomName())) {
            if (!f.equals(sub) && !Files.exists(p.resolve(f))) {
                String text = text();
                Files.writeString(p.resolve(f), text + "\n", StandardCharsets.UTF_8);
                log.add("echo " + text + " > " + o + "/" + f);
            }
        }
        String deep = randomName();
        String text = text();
        Files.writeString(p.resolve(sub).resolve(deep), text + "\n", StandardCharsets.UTF_8);
        log.add("echo " + text + " > " + o + "/" + sub + "/" + deep);
    }

    private boolean dirToFile() throws IOException {
        String p = randomEntry(true);
        if (p == null) {
            return false;
        }
        deleteTree(p);
        writeNew(p);
        return true;
    }

    private boolean fileToDir() throws IOException {
        String p = randomEntry(false);
        if (p == null || depthOf(p) + 1 > MAX_DEPTH) {
            return false;
        }
        Files.delete(abs(p));
        log.add("rm " + w(p));
        shadow.remove(p);
        mkdir(p);
        if (random.nextBoolean()) {
            writeNew(p + "/" + randomName());
        }
        return true;
    }

    // ---- helpers

    private void mkdir(String p) throws IOException {
        Files.createDirectory(abs(p));
        log.add("mkdir " + w(p));
        shadow.put(p, true);
    }

    private void writeNew(String p) throws IOException {
        String text = text();
        Files.writeString(abs(p), text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        log.add("echo " + text + " > " + w(p));
        shadow.put(p, false);
    }

    private void move(String from, String to) throws IOException {
        // ATOMIC_MOVE is one rename(2): it replaces a file, or an empty directory, as mv does.
        Files.move(abs(from), abs(to), StandardCopyOption.ATOMIC_MOVE);
        log.add("mv " + w(from) + " " + w(to));
        TreeMap<String, Boolean> moved = removeSubtree(from);
        removeSubtree(to);
        moved.forEach((k, v) -> shadow.put(to + k.substring(from.length()), v));
    }

    /** {@code rm -r}, children before their directory, in reverse name order (deterministic). */
    private void deleteTree(String p) throws IOException {
        TreeMap<String, Boolean> gone = removeSubtree(p);
        for (String k : gone.descendingKeySet()) {
            Files.delete(abs(k));
        }
        log.add("rm -r " + w(p));
    }

    private TreeMap<String, Boolean> removeSubtree(String p) {
        TreeMap<String, Boolean> removed = new TreeMap<>();
        Boolean self = shadow.remove(p);
        if (self != null) {
            removed.put(p, self);
        }
        Map<String, Boolean> below = shadow.subMap(p + "/", p + "/\uffff");
        removed.putAll(below);
        below.clear();
        return removed;
    }

    private boolean isEmptyDir(String p) {
        String next = shadow.higherKey(p + "/");
        return next == null || !next.startsWith(p + "/");
    }

    private int subtreeDepth(String p) {
        int max = 0;
        for (String k : shadow.subMap(p + "/", p + "/\uffff").keySet()) {
            max = Math.max(max, depthOf(k) - depthOf(p));
        }
        return max;
    }

    private static int depthOf(String p) {
        return p.isEmpty() ? 0 : (int) p.chars().filter(c -> c == '/').count() + 1;
    }

    private static Map<String, Boolean> walkRelative(Path dir) throws IOException {
        TreeMap<String, Boolean> found = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (var all = Files.walk(dir)) {
            all.filter(p -> !p.equals(dir)).forEach(p -> found.put(dir.relativize(p).toString(), Files.isDirectory(p)));
        }
        return found;
    }

    private String randomName() {
        return NAMES.get(random.nextInt(NAMES.size()));
    }

    /** {@code dir/name}, or {@code null} when that would be too deep. */
    private static String child(String dir, String name) {
        if (depthOf(dir) + 1 > MAX_DEPTH) {
            return null;
        }
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    /** A random directory of the tree, the root ({@code ""}) included. */
    private String randomDir() {
        return randomDirUpTo(MAX_DEPTH);
    }

    private String randomDirUpTo(int maxDepth) {
        List<String> dirs = new ArrayList<>();
        dirs.add("");
        shadow.forEach((k, v) -> {
            if (v && depthOf(k) <= maxDepth) {
                dirs.add(k);
            }
        });
        return dirs.get(random.nextInt(dirs.size()));
    }

    /** A random existing directory ({@code directory}) or file of the tree, not the root; {@code null} if none. */
    private String randomEntry(boolean directory) {
        List<String> all = new ArrayList<>();
        shadow.forEach((k, v) -> {
            if (v == directory) {
                all.add(k);
            }
        });
        return all.isEmpty() ? null : all.get(random.nextInt(all.size()));
    }

    private String randomEmptyDir() {
        List<String> all = new ArrayList<>();
        shadow.forEach((k, v) -> {
            if (v && isEmptyDir(k)) {
                all.add(k);
            }
        });
        return all.isEmpty() ? null : all.get(random.nextInt(all.size()));
    }

    private String randomTopDir() {
        List<String> all = new ArrayList<>();
        shadow.forEach((k, v) -> {
            if (v && k.indexOf('/') < 0) {
                all.add(k);
            }
        });
        return all.isEmpty() ? null : all.get(random.nextInt(all.size()));
    }

    private String text() {
        return "t" + (textCounter++);
    }

    private Path abs(String rel) {
        return root.resolve(rel);
    }

    /** A tree path as the log writes it: relative to {@code base}. */
    private static String w(String rel) {
        return "w/" + rel;
    }

    // ---- what the run did

    /** The tree as this workload left it: relative path under the root to "is a directory". */
    public TreeMap<String, Boolean> shadow() {
        return new TreeMap<>(shadow);
    }

    /** Every performed operation, in order, as scenario-script commands with paths relative to {@code base}. */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** How many lines at the start of {@link #log()} made the initial tree (the script's set-up, before the watch). */
    public int setupLines() {
        return setupLines;
    }

    public Map<Op, Integer> performed() {
        return new EnumMap<>(performed);
    }

    public Map<Op, Integer> skipped() {
        return new EnumMap<>(skipped);
    }

    public int performedCount() {
        return performed.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int skippedCount() {
        return skipped.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Renames whose both ends were inside the watched tree: the denominator of the pairing rate. */
    public int renamesInside() {
        return renamesInside;
    }
}
