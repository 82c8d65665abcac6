package io.ticketrush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The instances' configuration defaults are written once, in META-INF/microprofile-config.properties: no
 * {@code defaultValue} in the code, no key read that the file does not name, and docs/configuration.md's table
 * showing the same defaults. Reads the compiled classes and the files; starts no server.
 */
class ConfigDefaultsTest {

    private static final Path BASEDIR = Path.of(System.getProperty("ticketrush.basedir", "."));
    private static final Path PROPERTIES =
            BASEDIR.resolve("src/main/resources/META-INF/microprofile-config.properties");
    private static final Path CLASSES = BASEDIR.resolve("target/classes");
    private static final Path SOURCES = BASEDIR.resolve("src/main/java");
    private static final Path DOC = BASEDIR.resolve("docs/configuration.md");
    private static final String DOC_SECTION = "## Instance settings";
    /** A row of that section's table: keys, environment variables, defaults, meaning. */
    private static final Pattern DOC_ROW =
            Pattern.compile("^\\| (`[a-z][^|]*`) \\| [^|]* \\| ([^|]*) \\|", Pattern.MULTILINE);

    private static Properties defaults;
    private static String comments;
    private static List<Field> injected;

    @BeforeAll
    static void read() throws IOException, ClassNotFoundException {
        defaults = new Properties();
        try (Reader reader = Files.newBufferedReader(PROPERTIES, StandardCharsets.ISO_8859_1)) {
            defaults.load(reader);
        }
        comments = Files.readAllLines(PROPERTIES, StandardCharsets.ISO_8859_1).stream()
                .filter(line -> line.startsWith("#"))
                .collect(Collectors.joining("\n"));
        injected = injectedFields();
        assertFalse(injected.isEmpty(), "no @ConfigProperty found under " + CLASSES + ": compile first");
    }

    @Test
    void leavesEveryDefaultToThePropertiesFile() {
        List<String> withDefault = injected.stream()
                .filter(field -> !ConfigProperty.UNCONFIGURED_VALUE.equals(
                        property(field).defaultValue()))
                .map(field -> property(field).name() + " in "
                        + field.getDeclaringClass().getSimpleName())
                .toList();

        assertEquals(List.of(), withDefault, "defaultValue in the code; write the default in " + PROPERTIES);
    }

    @Test
    void namesEveryKeyTheCodeReadsInThePropertiesFile() {
        List<String> missing = new ArrayList<>();
        for (Field field : injected) {
            String key = property(field).name();
            boolean optional = field.getType() == Optional.class;
            if (!defaults.containsKey(key) && !(optional && mentioned(key, comments))) {
                missing.add(key + " in " + field.getDeclaringClass().getSimpleName()
                        + (optional ? " (no default: name it in a comment)" : ""));
            }
        }

        assertEquals(List.of(), missing, "read by the code but not in " + PROPERTIES);
    }

    @Test
    void readsEveryKeyThePropertiesFileDefaults() throws IOException {
        String code;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            code = files.filter(file -> file.toString().endsWith(".java"))
                    .map(ConfigDefaultsTest::text)
                    .collect(Collectors.joining("\n"));
        }
        List<String> unread = defaults.stringPropertyNames().stream()
                .sorted()
                .filter(key -> !code.contains("\"" + key + "\"") && !code.contains("MPCONFIG=" + key + "}"))
                .toList();

        assertEquals(List.of(), unread, "defaults in " + PROPERTIES + " that no code reads");
    }

    @Test
    void documentsTheDefaultsOfThePropertiesFile() {
        Map<String, String> documented = documentedDefaults();
        List<String> differing = new ArrayList<>();
        for (String key : defaults.stringPropertyNames().stream().sorted().toList()) {
            String expected = defaults.getProperty(key);
            if (!expected.equals(documented.get(key))) {
                differing.add(key + ": " + expected + " in the file, " + documented.get(key) + " in the docs");
            }
        }
        for (Field field : injected) {
            String key = property(field).name();
            assertTrue(documented.containsKey(key), key + " is missing from " + DOC);
        }

        assertEquals(List.of(), differing, DOC + "'s instance settings differ from " + PROPERTIES);
    }

    /** Key to documented default, from rows such as {@code | `db.host`, `db.port` | ... | `127.0.0.1`, `5432` |}. */
    private static Map<String, String> documentedDefaults() {
        Map<String, String> documented = new LinkedHashMap<>();
        String doc = text(DOC);
        int section = doc.indexOf(DOC_SECTION);
        assertTrue(section >= 0, DOC + " lacks its section " + DOC_SECTION);
        int end = doc.indexOf("\n## ", section + 1);
        Matcher row = DOC_ROW.matcher(doc.substring(section, end < 0 ? doc.length() : end));
        while (row.find()) {
            String[] keys = row.group(1).split(", ");
            String[] values = row.group(2).strip().split(", ");
            for (int i = 0; i < keys.length; i++) {
                String value = i < values.length ? values[i] : "";
                documented.put(unquote(keys[i]), value.startsWith("`") ? unquote(value) : value);
            }
        }
        return documented;
    }

    private static String unquote(String code) {
        return code.strip().replaceAll("^`|`$", "");
    }

    private static boolean mentioned(String key, String text) {
        return Pattern.compile("(?<![\\w.-])" + Pattern.quote(key) + "(?![\\w-])")
                .matcher(text)
                .find();
    }

    private static ConfigProperty property(Field field) {
        return field.getAnnotation(ConfigProperty.class);
    }

    /** Every field of the compiled main classes that carries {@code @ConfigProperty}. */
    private static List<Field> injectedFields() throws IOException, ClassNotFoundException {
        List<Field> fields = new ArrayList<>();
        List<Path> classFiles;
        try (Stream<Path> files = Files.walk(CLASSES)) {
            classFiles = files.filter(file -> file.toString().endsWith(".class"))
                    .sorted()
                    .toList();
        }
        ClassLoader loader = ConfigDefaultsTest.class.getClassLoader();
        for (Path file : classFiles) {
            String name = CLASSES.relativize(file)
                    .toString()
                    .replace(file.getFileSystem().getSeparator(), ".")
                    .replaceAll("\\.class$", "");
            for (Field field : Class.forName(name, false, loader).getDeclaredFields()) {
                if (field.isAnnotationPresent(ConfigProperty.class)) {
                    fields.add(field);
                }
            }
        }
        return fields;
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
