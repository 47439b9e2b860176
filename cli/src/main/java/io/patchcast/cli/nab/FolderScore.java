package io.patchcast.cli.nab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of one folder of a scored corpus (NAB's data kinds: {@code realAWSCloudwatch},
 * {@code realTweets}, ...), summed at the corpus threshold and normalised like the corpus: where a
 * detector is strong and where it is weak. The threshold is not re-optimised per folder.
 *
 * @param folder the files' path relative to the corpus folder up to the last {@code /}; {@code .} for none
 * @param normalized 100 * (raw - null) / (perfect - null); NaN for a folder without windows
 */
public record FolderScore(String folder, int files, int windows, int tp, int fp, int fn, double rawScore,
        double nullScore, double perfectScore, double normalized) {

    /** One row per folder, in order of first appearance among {@code s}'s files. */
    public static List<FolderScore> of(ProfileScore s) {
        Map<String, List<FileScore>> byFolder = new LinkedHashMap<>();
        for (FileScore f : s.files()) {
            byFolder.computeIfAbsent(folderOf(f.relativePath()), k -> new ArrayList<>()).add(f);
        }
        List<FolderScore> out = new ArrayList<>(byFolder.size());
        byFolder.forEach((folder, files) -> {
            int windows = 0;
            int tp = 0;
            int fp = 0;
            int fn = 0;
            double raw = 0;
            double nul = 0;
            double perfect = 0;
            for (FileScore f : files) {
                windows += f.windows();
                tp += f.score().tp();
                fp += f.score().fp();
                fn += f.score().fn();
                raw += f.score().score();
                nul += f.nullScore();
                perfect += f.perfectScore();
            }
            double normalized = perfect > nul ? ProfileScore.normalize(raw, nul, perfect) : Double.NaN;
            out.add(new FolderScore(folder, files.size(), windows, tp, fp, fn, raw, nul, perfect, normalized));
        });
        return out;
    }

    static String folderOf(String relativePath) {
        String p = relativePath.replace('\\', '/');
        int slash = p.lastIndexOf('/');
        return slash < 0 ? "." : p.substring(0, slash);
    }
}
