package io.ticketrush.model;

/** The one rule for user and event ids: 1–64 characters of {@code [A-Za-z0-9_.:@-]} after trimming. */
public final class Ids {

    public static final int MAX_LENGTH = 64;

    private Ids() {}

    /** The trimmed id, or an {@link InvalidIdException} that names {@code name} and what is wrong. */
    public static String check(String name, String raw) {
        String id = raw.strip();
        if (id.isEmpty()) {
            throw new InvalidIdException(name + " is blank");
        }
        if (id.length() > MAX_LENGTH) {
            throw new InvalidIdException(name + " is longer than " + MAX_LENGTH + " characters");
        }
        if (!allAllowed(id)) {
            throw new InvalidIdException(name + " may only contain letters, digits and _ . : @ -");
        }
        return id;
    }

    /** True when {@code raw} is an id as it stands (no trimming), for ids taken from a path. */
    public static boolean isValid(String raw) {
        return !raw.isEmpty() && raw.length() <= MAX_LENGTH && allAllowed(raw);
    }

    private static boolean allAllowed(String id) {
        for (int i = 0; i < id.length(); i++) {
            if (!allowed(id.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '_'
                || c == '.'
                || c == ':'
                || c == '@'
                || c == '-';
    }
}
