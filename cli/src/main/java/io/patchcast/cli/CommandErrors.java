package io.patchcast.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints a command's failure as one line, {@code patchcast <command>: <message>}, and exits 1; the
 * stack trace too when {@code debug} (environment variable {@code PATCHCAST_DEBUG} set).
 */
final class CommandErrors implements IExecutionExceptionHandler {

    static final int EXIT_CODE = 1;

    private final boolean debug;

    CommandErrors(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        if (debug) {
            ex.printStackTrace(err);
        }
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + message(ex));
        err.flush();
        return EXIT_CODE;
    }

    /** What went wrong, in one line: the innermost message worth showing. */
    static String message(Throwable e) {
        Throwable t = e;
        String prefix = "";
        while (t.getCause() != null && t.getCause() != t) {
            Throwable cause = t.getCause();
            boolean bare = t.getMessage() == null || t.getMessage().equals(cause.toString());
            if (bare) {
                t = cause;
            } else if (isWrapper(t)) {
                prefix += t.getMessage() + ": ";
                t = cause;
            } else {
                break;
            }
        }
        return prefix + ownMessage(t);
    }

    private static boolean isWrapper(Throwable t) {
        return t instanceof UncheckedIOException || t instanceof ExecutionException || t instanceof CompletionException
                || t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException;
    }

    private static String ownMessage(Throwable t) {
        if (t instanceof NoSuchFileException e) {
            return "no such file: " + e.getFile();
        }
        if (t instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (t instanceof FileAlreadyExistsException e) {
            return "already exists: " + e.getFile();
        }
        if (t instanceof FileSystemException e && e.getFile() != null) {
            // "<file>: <reason>", e.g. "out.csv: Is a directory"
            return e.getMessage();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.toString() : m.strip().replace('\n', ' ');
    }
}
