package io.github.fsmon.scenario;

import io.github.fsmon.EventKind;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.scenario.FsActions.Op;
import io.github.fsmon.scenario.Words.Word;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses a scenario script (see {@code src/test/resources/scenarios/README.md} for the language) into a
 * {@link Scenario}. Everything that can be checked without running is checked here (command names,
 * operand counts, event kinds, options, paths that would leave the sandbox), so a typo fails with the
 * line that holds it instead of as a puzzling event mismatch.
 */
final class ScenarioParser {
    /** The name of a watch started without {@code as=}. */
    static final String DEFAULT_WATCH = "w";

    private int queueCapacity;
    private String knownFailing;
    private static final Set<String> OPERATING_SYSTEMS = Set.of("linux", "macos", "windows");

    private final String script;
    private final List<Step> steps = new ArrayList<>();
    private final List<String> only = new ArrayList<>();
    private final Set<String> watchNames = new HashSet<>();
    private boolean namedWatches;

    /** The blocks of the checkpoint being read, and the block whose event lines are being read. */
    private List<Step.ExpectBlock> group;
    private Step.ExpectBlock block;
    private List<Step.ExpectedEvent> blockEvents;

    private int lineNo;

    private ScenarioParser(String script) {
        this.script = script;
    }

    /** Parses {@code text}, the content of the script called {@code name}. */
    static Scenario parse(String name, String text) throws ScenarioSyntaxException {
        return new ScenarioParser(name).run(text);
    }

    private Scenario run(String text) throws ScenarioSyntaxException {
        List<List<Word>> lines = new ArrayList<>();
        String[] raw = text.split("\r?\n", -1);
        for (lineNo = 1; lineNo <= raw.length; lineNo++) {
            try {
                lines.add(Words.split(raw[lineNo - 1]));
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }
        // Whether events carry watch names is decided by the script as a whole, before any line is read.
        namedWatches = lines.stream().anyMatch(w -> !w.isEmpty() && w.get(0).is("watch")
                && w.stream().anyMatch(x -> !x.quoted() && x.text().startsWith("as=")));
        for (lineNo = 1; lineNo <= lines.size(); lineNo++) {
            List<Word> words = lines.get(lineNo - 1);
            if (!words.isEmpty()) {
                line(raw[lineNo - 1].strip(), words);
            }
        }
        endGroup();
        if (steps.stream().noneMatch(s -> s instanceof Step.Watch)) {
            lineNo = raw.length;
            throw error("the script starts no watch");
        }
        return new Scenario(script, steps, only, namedWatches, queueCapacity, knownFailing);
    }

    private void line(String text, List<Word> words) throws ScenarioSyntaxException {
        Word first = words.get(0);
        if (isEventLine(first)) {
            if (block == null) {
                throw error("event line outside an expect block: " + text);
            }
            blockEvents.add(expectedEvent(words));
            return;
        }
        String command = first.quoted() ? "" : first.text();
        List<Word> rest = words.subList(1, words.size());
        if (command.equals("expect")) {
            expect(rest);
            return;
        }
        endGroup();
        switch (command) {
            case "only" -> only(rest);
            case "watch" -> watch(rest);
            case "expect-error" -> expectError(rest);
            case "unwatch" -> unwatch(rest);
            case "queue" -> {
                if (rest.size() != 1 || !rest.get(0).text().matches("[1-9][0-9]{0,6}")) {
                    throw error("queue takes one positive number: the monitor's queue capacity");
                }
                if (steps.stream().anyMatch(st -> st instanceof Step.Watch)) {
                    throw error("queue must come before the first watch");
                }
                queueCapacity = Integer.parseInt(rest.get(0).text());
            }
            case "hold", "release" -> {
                if (!rest.isEmpty()) {
                    throw error(command + " takes no operand");
                }
                steps.add(new Step.Hold(lineNo, command.equals("hold")));
            }
            case "expect-recovered" -> {
                if (!rest.isEmpty()) {
                    throw error("expect-recovered takes no operand");
                }
                steps.add(new Step.ExpectRecovered(lineNo));
            }
            case "known-failing" -> {
                if (rest.isEmpty()) {
                    throw error("known-failing needs the reason the script fails today");
                }
                if (knownFailing != null) {
                    throw error("known-failing given twice");
                }
                knownFailing = String.join(" ", rest.stream().map(Word::text).toList());
            }
            case "freeze" -> {
                if (rest.size() > 1) {
                    throw error("freeze takes at most one directory");
                }
                if (steps.stream().noneMatch(st -> st instanceof Step.Watch)) {
                    throw error("freeze must come after a watch");
                }
                steps.add(new Step.Freeze(lineNo, rest.isEmpty() ? null : paths(rest, 1, 1).get(0), true));
            }
            case "thaw" -> {
                if (!rest.isEmpty()) {
                    throw error("thaw takes no operand");
                }
                steps.add(new Step.Freeze(lineNo, null, false));
            }
            case "expect-strict" -> {
                if (!rest.isEmpty()) {
                    throw error("expect-strict takes no operand");
                }
                steps.add(new Step.ExpectStrict(lineNo));
            }
            case "expect-consistent" -> {
                if (!rest.isEmpty()) {
                    throw error("expect-consistent takes no operand");
                }
                steps.add(new Step.ExpectConsistent(lineNo));
            }
            case "ignore", "unignore" -> {
                for (String p : paths(rest, 1, Integer.MAX_VALUE)) {
                    steps.add(new Step.Ignore(lineNo, p, command.equals("ignore")));
                }
            }
            default -> fileCommand(text, command, rest);
        }
    }

    /** Event lines start with an upper-case kind, {@code ?} (optional) or {@code @} (watch name); commands are lower case. */
    private static boolean isEventLine(Word first) {
        if (first.quoted() || first.text().isEmpty()) {
            return false;
        }
        char c = first.text().charAt(0);
        return c == '?' || c == '@' || (c >= 'A' && c <= 'Z');
    }

    // ---------------------------------------------------------------- expectations

    private void expect(List<Word> header) throws ScenarioSyntaxException {
        closeBlock();
        boolean unordered = false;
        List<String> selectors = new ArrayList<>();
        for (Word w : header) {
            String s = w.text();
            if (w.is("unordered")) {
                unordered = true;
            } else if (!w.quoted() && (OPERATING_SYSTEMS.contains(s) || s.matches("backend=[a-z0-9_]+"))) {
                if (selectors.contains(s)) {
                    throw error("selector given twice: " + s);
                }
                selectors.add(s);
            } else {
                throw error("unknown expect option '" + s + "' (use unordered, linux, macos, windows, backend=NAME)");
            }
        }
        if (group == null) {
            group = new ArrayList<>();
        }
        for (Step.ExpectBlock other : group) {
            if (Set.copyOf(other.selectors()).equals(Set.copyOf(selectors))) {
                throw error("this checkpoint already has a block for " + (selectors.isEmpty() ? "every platform"
                        : String.join(" ", selectors)) + " (line " + other.line() + ")");
            }
        }
        block = new Step.ExpectBlock(lineNo, selectors, unordered, List.of());
        blockEvents = new ArrayList<>();
    }

    private void closeBlock() {
        if (block != null) {
            group.add(new Step.ExpectBlock(block.line(), block.selectors(), block.unordered(), blockEvents));
            block = null;
            blockEvents = null;
        }
    }

    /** A command line ends the checkpoint whose blocks were being read. */
    private void endGroup() {
        closeBlock();
        if (group != null) {
            steps.add(new Step.Checkpoint(group.get(0).line(), group));
            group = null;
        }
    }

    private Step.ExpectedEvent expectedEvent(List<Word> words) throws ScenarioSyntaxException {
        List<Word> rest = new ArrayList<>(words);
        boolean optional = false;
        if (rest.get(0).text().startsWith("?")) {
            optional = true;
            String tail = rest.get(0).text().substring(1);
            if (tail.isEmpty()) {
                rest.remove(0);
            } else {
                rest.set(0, new Word(tail, false));
            }
        }
        List<String> alternatives = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= rest.size(); i++) {
            if (i == rest.size() || rest.get(i).is("|")) {
                alternatives.add(oneEvent(rest.subList(start, i)));
                start = i + 1;
            }
        }
        return new Step.ExpectedEvent(lineNo, alternatives, optional);
    }

    /** One event of an event line: {@code [@WATCH] KIND[,ISDIR] PATH [<- FROM]}, as its canonical line. */
    private String oneEvent(List<Word> words) throws ScenarioSyntaxException {
        List<Word> rest = new ArrayList<>(words);
        String watch = null;
        if (!rest.isEmpty() && !rest.get(0).quoted() && rest.get(0).text().startsWith("@")) {
            watch = rest.remove(0).text().substring(1);
            if (!namedWatches) {
                throw error("@" + watch + ": this script does not name its watches (no watch has as=NAME)");
            }
            if (!watchNames.contains(watch)) {
                throw error("@" + watch + ": no watch of that name was started above");
            }
        } else if (namedWatches) {
            throw error("this script names its watches: start the event line with @NAME");
        }
        if (rest.size() != 2 && !(rest.size() == 4 && rest.get(2).is("<-"))) {
            throw error("an event line is [?][@WATCH] KIND[,ISDIR] PATH [<- FROM] [| another event]");
        }
        String kinds = kinds(rest.get(0));
        String path = path(rest.get(1).text());
        String from = null;
        if (rest.size() == 4) {
            if (!kinds.startsWith("MOVED_TO")) {
                throw error("only MOVED_TO has a source (<- FROM)");
            }
            from = path(rest.get(3).text());
        }
        return EventLine.of(watch, kinds, path, from);
    }

    private String kinds(Word word) throws ScenarioSyntaxException {
        String[] parts = word.text().split(",", -1);
        if (word.quoted() || parts.length > 2 || (parts.length == 2 && !parts[1].equals("ISDIR"))) {
            throw error("expected KIND or KIND,ISDIR, found " + word.text());
        }
        try {
            EventKind.valueOf(parts[0]);
        } catch (IllegalArgumentException e) {
            throw error("unknown event kind " + parts[0]);
        }
        return word.text();
    }

    // ---------------------------------------------------------------- watches

    private void only(List<Word> args) throws ScenarioSyntaxException {
        if (args.isEmpty()) {
            throw error("only needs one or more of linux, macos, windows");
        }
        for (Word w : args) {
            if (!OPERATING_SYSTEMS.contains(w.text())) {
                throw error("unknown operating system " + w.text() + " (linux, macos, windows)");
            }
            only.add(w.text());
        }
    }

    private void watch(List<Word> args) throws ScenarioSyntaxException {
        String path = null;
        String name = DEFAULT_WATCH;
        WatchOptions.Builder options = WatchOptions.builder();
        boolean recursive = false;
        Boolean autoAdd = null;
        for (Word w : args) {
            String s = w.text();
            if (w.quoted() || !isWatchOption(s)) {
                if (path != null) {
                    throw error("watch takes one path; found " + path + " and " + s);
                }
                path = path(s);
            } else if (s.equals("recursive")) {
                recursive = true;
            } else if (s.equals("noautoadd")) {
                autoAdd = false;
            } else if (s.equals("oneshot")) {
                options.oneShot(true);
            } else if (s.equals("onlydir")) {
                options.onlyDir(true);
            } else if (s.equals("follow")) {
                options.followSymlinks(true);
            } else if (s.startsWith("events=")) {
                options.events(eventSet(s.substring(7)));
            } else if (s.startsWith("exclude=")) {
                if (s.length() == 8) {
                    throw error("exclude= needs a glob");
                }
                options.exclude(s.substring(8));
            } else if (s.startsWith("as=")) {
                name = s.substring(3);
                if (!name.matches("[A-Za-z0-9_-]+")) {
                    throw error("a watch name is letters, digits, _ and -: " + name);
                }
            }
        }
        options.recursive(recursive);
        if (autoAdd != null) {
            if (!recursive) {
                throw error("noautoadd needs recursive");
            }
            options.autoAdd(autoAdd);
        }
        watchNames.add(name);
        steps.add(new Step.Watch(lineNo, name, path == null ? "." : path, options.build(), null));
    }

    private static boolean isWatchOption(String s) {
        return switch (s) {
            case "recursive", "noautoadd", "oneshot", "onlydir", "follow" -> true;
            default -> s.startsWith("events=") || s.startsWith("exclude=") || s.startsWith("as=");
        };
    }

    private Set<EventKind> eventSet(String list) throws ScenarioSyntaxException {
        if (list.equals("all")) {
            return EnumSet.allOf(EventKind.class);
        }
        Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
        for (String k : list.split(",")) {
            if (k.equals("default")) {
                kinds.addAll(WatchOptions.DEFAULT_EVENTS);
                continue;
            }
            try {
                kinds.add(EventKind.valueOf(k.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw error("unknown event kind in events=: " + k);
            }
        }
        return kinds;
    }

    private void expectError(List<Word> args) throws ScenarioSyntaxException {
        if (args.size() != 1 || !args.get(0).text().matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw error("expect-error takes the simple name of an exception class, such as NoSuchFileException");
        }
        Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
        if (!(last instanceof Step.Watch w) || w.expectedError() != null) {
            throw error("expect-error must come right after the watch that should fail");
        }
        steps.set(steps.size() - 1, w.failingWith(args.get(0).text()));
    }

    private void unwatch(List<Word> args) throws ScenarioSyntaxException {
        String name = DEFAULT_WATCH;
        if (args.size() > 1 || (args.size() == 1 && !args.get(0).text().startsWith("as="))) {
            throw error("unwatch takes nothing or as=NAME");
        }
        if (args.size() == 1) {
            name = args.get(0).text().substring(3);
        }
        if (!watchNames.contains(name)) {
            throw error("unwatch: no watch named " + name + " was started above");
        }
        steps.add(new Step.Unwatch(lineNo, name));
    }

    // ---------------------------------------------------------------- file-system commands

    private void fileCommand(String text, String command, List<Word> args) throws ScenarioSyntaxException {
        boolean flag = !args.isEmpty() && !args.get(0).quoted() && args.get(0).text().startsWith("-");
        String option = flag ? args.get(0).text() : null;
        List<Word> operands = flag ? args.subList(1, args.size()) : args;
        switch (command) {
            case "mkdir" -> each(text, noFlagBut(option, "-p") ? Op.MKDIRS : Op.MKDIR, operands);
            case "touch" -> {
                if ("-d".equals(option)) { // touch -d @SECONDS P...: an exact modification time
                    if (operands.size() < 2 || !operands.get(0).text().matches("@[0-9]{1,12}")) {
                        throw error("touch -d takes @SECONDS (since 1970) and one or more paths");
                    }
                    String seconds = operands.get(0).text().substring(1);
                    for (String p : paths(operands.subList(1, operands.size()), 1, Integer.MAX_VALUE)) {
                        add(text, Op.TOUCH_AT, List.of(p, seconds));
                    }
                } else {
                    each(text, noFlag(option, Op.TOUCH), operands);
                }
            }
            case "rm" -> each(text, noFlagBut(option, "-r") ? Op.REMOVE_TREE : Op.REMOVE, operands);
            case "rmdir" -> each(text, noFlag(option, Op.RMDIR), operands);
            case "ls" -> each(text, noFlag(option, Op.LIST), operands);
            case "mv" -> add(text, noFlag(option, Op.MOVE), paths(operands, 2, 2));
            case "cp" -> add(text, noFlagBut(option, "-r") ? Op.COPY_TREE : Op.COPY, paths(operands, 2, 2));
            case "ln" -> {
                boolean symbolic = noFlagBut(option, "-s");
                if (operands.size() != 2) {
                    throw error("ln takes TARGET LINK");
                }
                // A symbolic link's target is stored as written, so it is not checked against the sandbox.
                String target = symbolic ? operands.get(0).text() : path(operands.get(0).text());
                add(text, symbolic ? Op.SYMLINK : Op.HARDLINK, List.of(target, path(operands.get(1).text())));
            }
            case "chmod" -> {
                if (operands.size() != 2) {
                    throw error("chmod takes MODE PATH");
                }
                try {
                    FsActions.permissions(operands.get(0).text());
                } catch (IllegalArgumentException e) {
                    throw error(e.getMessage());
                }
                add(text, noFlag(option, Op.CHMOD), List.of(operands.get(0).text(), path(operands.get(1).text())));
            }
            case "echo" -> echo(text, args);
            default -> throw error("unknown command '" + command + "'");
        }
    }

    private void echo(String text, List<Word> args) throws ScenarioSyntaxException {
        int redirect = -1;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).is(">") || args.get(i).is(">>")) {
                redirect = i;
                break;
            }
        }
        if (redirect < 0 || redirect != args.size() - 2) {
            throw error("echo needs TEXT... > PATH or TEXT... >> PATH");
        }
        StringBuilder words = new StringBuilder();
        for (Word w : args.subList(0, redirect)) {
            words.append(words.isEmpty() ? "" : " ").append(w.text());
        }
        Op op = args.get(redirect).text().equals(">") ? Op.WRITE : Op.APPEND;
        add(text, op, List.of(path(args.get(redirect + 1).text()), words.toString()));
    }

    /** One action per operand, for commands that take several paths ({@code touch a b}). */
    private void each(String text, Op op, List<Word> operands) throws ScenarioSyntaxException {
        for (String p : paths(operands, 1, Integer.MAX_VALUE)) {
            add(text, op, List.of(p));
        }
    }

    private void add(String text, Op op, List<String> args) {
        steps.add(new Step.Action(lineNo, text, op, args));
    }

    private Op noFlag(String option, Op op) throws ScenarioSyntaxException {
        if (option != null) {
            throw error("unknown option " + option);
        }
        return op;
    }

    /** Whether {@code option} is {@code allowed}; fails on any other option. */
    private boolean noFlagBut(String option, String allowed) throws ScenarioSyntaxException {
        if (option != null && !option.equals(allowed)) {
            throw error("unknown option " + option + " (only " + allowed + ")");
        }
        return option != null;
    }

    private List<String> paths(List<Word> words, int min, int max) throws ScenarioSyntaxException {
        if (words.size() < min || words.size() > max) {
            throw error(min == max ? "expected " + min + " path(s)" : "expected at least " + min + " path(s)");
        }
        List<String> paths = new ArrayList<>();
        for (Word w : words) {
            paths.add(path(w.text()));
        }
        return paths;
    }

    /**
     * Normalizes a script path ({@code ./a//b/} becomes {@code a/b}, an empty path {@code .}) and rejects
     * paths that would leave the sandbox: absolute ones and those with {@code ..}.
     */
    private String path(String p) throws ScenarioSyntaxException {
        if (p.startsWith("/") || p.startsWith("\\") || p.matches("[A-Za-z]:.*")) {
            throw error("paths are relative to the sandbox: " + p);
        }
        StringBuilder s = new StringBuilder();
        for (String name : p.split("/")) {
            if (name.equals("..")) {
                throw error("paths may not leave the sandbox (..): " + p);
            }
            if (!name.isEmpty() && !name.equals(".")) {
                s.append(s.isEmpty() ? "" : "/").append(name);
            }
        }
        return s.isEmpty() ? "." : s.toString();
    }

    private ScenarioSyntaxException error(String message) {
        return new ScenarioSyntaxException(script, lineNo, message);
    }
}
