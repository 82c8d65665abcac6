package io.ticketrush.testsupport;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the server binaries tests need, or fails naming the Debian package that brings them. */
public final class Binaries {

    private Binaries() {}

    public static Path require(String binary, String debianPackage) {
        for (String dir :
                (System.getenv("PATH") + File.pathSeparator + "/usr/sbin:/usr/local/sbin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(binary + " is not installed; these tests need a real one. Install it: "
                + "apt-get install -y " + debianPackage);
    }
}
