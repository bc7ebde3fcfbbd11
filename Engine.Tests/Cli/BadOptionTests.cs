using System.Diagnostics;
using System.Text.RegularExpressions;
using SeqLearn.Cli;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Text;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Cli;

/// <summary>
/// Every subcommand, given a bad option (zero, negative, NaN, ±∞, huge, unparsable, outside the vocabulary, conflicting
/// with --resume), fails fast: exit code 1, exactly one line <c>error: …</c> that names the option, no stack trace, and
/// no work done. Cases marked {nope} give a missing input file: the option must be refused before the file is read
/// (otherwise the error would be "not found").
/// </summary>
public sealed class BadOptionTests(BadOptionTests.Files files) : IClassFixture<BadOptionTests.Files>
{
    /// <summary>Small inputs shared by the cases: a corpus, checkpoints, an ARPA model, pairs, labelled text, a CSV.</summary>
    public sealed class Files : IDisposable
    {
        internal TempDir Dir { get; } = new("bad-options");

        public Files()
        {
            string text = string.Concat(Enumerable.Repeat("the cat sat on the mat\nthe dog sat on the log\n", 20));
            File.WriteAllText(Dir.Combine("c.txt"), text);
            File.WriteAllText(Dir.Combine("odd.txt"), text + "xyz\n");
            // A word model over 100 000 words (E = 4, H = 8: 1.3 M parameters) and 100 000 words of text to score.
            string[] words = [.. Enumerable.Range(0, 100_000).Select(i => $"w{i}")];
            var big = WordVocabulary.Build([string.Join(' ', words)]);
            LanguageModelCheckpoint.Save(Dir.Combine("bigv"), new LanguageModel<float>(new LanguageModelConfig(big.Count, 4, 8, 1), new SeededRng(3)), big);
            File.WriteAllLines(Dir.Combine("words.txt"), words.Chunk(100).Select(line => string.Join(' ', line)));
            var vocab = CharVocabulary.Build(text);
            var config = new LanguageModelConfig(vocab.Count, 4, 8, 1);
            LanguageModelCheckpoint.Save(Dir.Combine("ckpt"), new LanguageModel<float>(config, new SeededRng(3)), vocab);
            LanguageModelCheckpoint.Save(Dir.Combine("run/last"), new LanguageModel<float>(config, new SeededRng(3)), vocab);
            File.WriteAllText(Dir.Combine("m.arpa"), "\\data\\\nngram 1=3\n\n\\1-grams:\n-0.5\t<s>\n-0.5\t</s>\n-0.5\ta\n\n\\end\\\n");
            string[] pairs = [.. Enumerable.Range(0, 40).Select(i => $"Go {i}.\tVa {i} !")];
            File.WriteAllLines(Dir.Combine("pairs.tsv"), pairs);
            var source = TranslationVocabulary.Build(pairs.Select(p => p.Split('\t')[0]));
            var target = TranslationVocabulary.Build(pairs.Select(p => p.Split('\t')[1]));
            var s2s = new Seq2Seq<float>(new Seq2SeqConfig(source.Count, target.Count, 4, 8, 1, RecurrentCell.Gru, true), new SeededRng(1));
            ModelCheckpoint.Save(Dir.Combine("s2s"), s2s, Seq2SeqTranslator.VocabulariesToJson(source, target));
            File.WriteAllLines(Dir.Combine("labels.tsv"), Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? "pos\tgood " : "neg\tbad ") + i));
            // Two and four sentences: too few for the recurrent classifier's validation part (one of each class trains).
            File.WriteAllLines(Dir.Combine("two.tsv"), ["pos\tgood", "neg\tbad"]);
            File.WriteAllLines(Dir.Combine("four.tsv"), ["pos\tgood", "neg\tbad", "pos\tnice", "neg\tawful"]);
            // One sentence of 100 000 words: with E = H = 4096 its batch of activations alone needs hundreds of GB.
            File.WriteAllLines(Dir.Combine("long.tsv"), ["pos\t" + string.Join(' ', Enumerable.Range(0, 100_000).Select(i => $"w{i % 5000}")), "neg\tshort one"]);
            // One positive sentence, one class only, and 20 classes: data that cross-validation or the model cannot use.
            File.WriteAllText(Dir.Combine("oneline.txt"), "one line only");
            File.WriteAllLines(Dir.Combine("neg.txt"), Enumerable.Range(0, 20).Select(i => $"bad {i}"));
            File.WriteAllLines(Dir.Combine("oneclass.tsv"), Enumerable.Range(0, 20).Select(i => $"pos\tgood {i}"));
            File.WriteAllLines(Dir.Combine("twenty.tsv"), Enumerable.Range(0, 60).Select(i => $"c{i % 20}\tword{i % 20} {i}"));
            Directory.CreateDirectory(Dir.Combine("dir.png"));   // an output path that is a directory
            File.WriteAllLines(Dir.Combine("s.csv"), new[] { "month,v" }.Concat(Enumerable.Range(0, 60).Select(i => $"{2000 + i / 12}-{i % 12 + 1:00},{i + 10}")));
        }

        public void Dispose() => Dir.Dispose();
    }

    /// <summary>Command line (split at spaces; {name} is a file of the fixture, {nope} a missing one) and what the error must name.</summary>
    public static TheoryData<string, string> Cases() => new()
    {
        // a flag given a value other than true or false: refused by the parser, naming the flag
        { "translate train --pairs {nope} --bidirectional no", "--bidirectional is a flag: give it alone or with true or false, not 'no'." },
        { "translate train --pairs {nope} --bidirectional=off", "--bidirectional is a flag" }, { "train -c {nope} --tie-weights yes", "--tie-weights is a flag" },
        { "classify cv --data {nope} --json 1", "--json is a flag" },
        // train: every option is checked before the corpus is read
        { "train -c {nope} --batch 0", "--batch" }, { "train -c {nope} --batch -3", "--batch" }, { "train -c {nope} --bptt 0", "--bptt" },
        { "train -c {nope} --batch 1 --bptt 2147483647", "--batch × --bptt" }, { "train -c {nope} --batch 100000 --bptt 100000", "--batch × --bptt" },
        { "train -c {nope} --batch abc", "--batch" }, { "train -c {nope} --batch 1e300", "--batch" },
        { "train -c {nope} --hidden 20000 --layers 4", "--hidden 20000" }, { "train -c {nope} --hidden 0", "--hidden" },
        { "train -c {nope} --layers -1", "--layers" }, { "train -c {nope} --embedding 2000000000", "--embedding 2000000000" },
        { "train -c {nope} --layers 100000 --hidden 512", "--layers 100000" }, { "train -c {nope} --tie-weights", "--embedding" },
        { "train -c {nope} --time-budget 1e300", "--time-budget" }, { "train -c {nope} --time-budget nan", "--time-budget" },
        { "train -c {nope} --time-budget 0", "--time-budget" }, { "train -c {nope} --time-budget -Infinity", "--time-budget" },
        { "train -c {nope} --lr nan", "--lr" }, { "train -c {nope} --lr -1", "--lr" }, { "train -c {nope} --lr 0", "--lr" },
        { "train -c {nope} --lr Infinity", "--lr" }, { "train -c {nope} --clip nan", "--clip" }, { "train -c {nope} --clip -1", "--clip" },
        { "train -c {nope} --clip Infinity", "--clip" }, { "train -c {nope} --dropout 1", "--dropout" }, { "train -c {nope} --dropout nan", "--dropout" },
        { "train -c {nope} --dropout -0.5", "--dropout" }, { "train -c {nope} --temperature -1", "--temperature" },
        { "train -c {nope} --temperature nan", "--temperature" }, { "train -c {nope} --temperature Infinity", "--temperature" },
        { "train -c {nope} --sample -1", "--sample" }, { "train -c {nope} --threads 0", "--threads" }, { "train -c {nope} --threads 1000", "--threads" },
        { "train -c {nope} --threads -2", "--threads" }, { "train -c {nope} --max-steps 0", "--max-steps" }, { "train -c {nope} --max-steps -1", "--max-steps" },
        { "train -c {nope} --epochs 0", "--epochs" }, { "train -c {nope} --patience 0", "--patience" }, { "train -c {nope} --valid-fraction 1", "--valid-fraction" },
        { "train -c {nope} --valid-fraction nan", "--valid-fraction" }, { "train -c {nope} --valid-fraction 0", "--valid-fraction" },
        { "train -c {nope} --eval-every -1", "--eval-every" }, { "train -c {nope} --eval-every-seconds nan", "--eval-every-seconds" },
        { "train -c {nope} --eval-every-seconds 0", "--eval-every-seconds" }, { "train -c {nope} --eval-every-seconds 1e300", "--eval-every-seconds" },
        { "train -c {nope} --eval-every-seconds 1e-9", "--eval-every-seconds" }, { "train -c {nope} --time-budget 1e-9", "--time-budget" },
        { "train -c {nope} --momentum -1", "--momentum" },
        { "train -c {nope} --momentum nan", "--momentum" }, { "train -c {nope} --weight-decay -1", "--weight-decay" },
        { "train -c {nope} --weight-decay Infinity", "--weight-decay" }, { "train -c {nope} --gamma 0", "--gamma" }, { "train -c {nope} --gamma 2", "--gamma" },
        { "train -c {nope} --gamma nan", "--gamma" }, { "train -c {nope} --step-size 0", "--step-size" }, { "train -c {nope} --first-decay-epoch -1", "--first-decay-epoch" }, { "train -c {nope} --first-decay-epoch 0", "--first-decay-epoch" },
        { "train -c {nope} --init-range 0", "--init-range" }, { "train -c {nope} --init-range nan", "--init-range" },
        { "train -c {nope} --optimizer sgd --nesterov", "--nesterov" }, { "train -c {nope} --schedule cosine --max-steps 5", "--schedule cosine" },
        { "train -c {nope} --cell transformer", "--cell" }, { "train -c {nope} --bogus 3", "--bogus" },
        { "train -c {nope} --sample 0 --prompt the", "--prompt shapes the sample printed after training, which --sample 0 turns off" },
        { "train -c {nope} --sample 0 --temperature 0.5", "--temperature shapes the sample printed after training, which --sample 0 turns off" },
        { "train --train {nope} --valid {nope} --valid-fraction 0.2", "--valid-fraction splits --corpus; --train and --valid give the two parts already" },
        { "train --train {nope} --valid-fraction 0.2", "--train and --valid go together" },
        { "train --valid {nope} --valid-fraction 0.2", "--train and --valid go together" },
        { "train -c {nope} --train {nope} --valid-fraction 0.2", "give either --corpus or --train with --valid, not both" },
        // train: conflicting with --resume (the checkpoint has E = 4, H = 8, L = 1, lstm, untied, dropout 0)
        { "train -c {c.txt} --resume {run} --hidden 32", "--hidden 32 conflicts with --resume" },
        { "train -c {c.txt} --resume {run} --cell gru", "--cell gru conflicts with --resume" },
        { "train -c {c.txt} --resume {run} --layers 2", "--layers 2 conflicts with --resume" },
        { "train -c {c.txt} --resume {run} --tie-weights", "--tie-weights True conflicts with --resume" },
        { "train -c {c.txt} --resume {run} --embedding 5", "--embedding 5 conflicts with --resume" },
        { "train -c {c.txt} --resume {run} --dropout 0.3", "--dropout 0.3 conflicts with --resume" },
        { "train -c {c.txt} --resume {run} --init-range 0.1", "--init-range 0.1 conflicts with --resume" },
        // train: a corpus with a character outside the resumed checkpoint's vocabulary names the file and the checkpoint
        { "train -c {odd.txt} --resume {run}", "run/last/checkpoint.json)" },
        // train: a prompt outside the vocabulary, refused before training
        { "train -c {c.txt} --prompt \u2603", "--prompt" },
        // eval
        { "eval --checkpoint {ckpt} -c {nope} --batch 0", "--batch" }, { "eval --checkpoint {ckpt} -c {nope} --steps -1", "--steps" },
        { "eval --checkpoint {ckpt} -c {nope} --threads 0", "--threads" }, { "eval --checkpoint {ckpt} -c {nope} --threads 100000", "--threads" },
        { "eval --checkpoint {ckpt} -c {nope} --batch 100000 --steps 100000", "--batch × --steps" },
        { "eval --checkpoint {ckpt} --arpa {m.arpa} -c {nope}", "--checkpoint" },
        { "eval --checkpoint {ckpt} -c {nope} --bf16 --int8", "--int8" }, { "eval --arpa {m.arpa} -c {nope} --int8", "--int8" },
        // generate: options before the checkpoint is loaded; the prompt against its vocabulary
        { "generate --checkpoint {nope} --length -1", "--length" }, { "generate --checkpoint {nope} --length 0", "--length" },
        { "generate --checkpoint {nope} --temperature -1", "--temperature" }, { "generate --checkpoint {nope} --temperature nan", "--temperature" },
        { "generate --checkpoint {nope} --temperature Infinity", "--temperature" }, { "generate --checkpoint {nope} --top-k -1", "--top-k" },
        { "generate --checkpoint {nope} --top-k 1.5", "--top-k" }, { "generate --checkpoint {nope} --top-p nan", "--top-p" },
        { "generate --checkpoint {nope} --top-p 2", "--top-p" }, { "generate --checkpoint {nope} --top-p 0", "--top-p" },
        { "generate --checkpoint {nope} --beam -1", "--beam" }, { "generate --checkpoint {nope} --beam 100000", "--beam" },
        { "generate --checkpoint {nope} --bf16 --int8", "--int8" }, { "generate --checkpoint {nope} --beam 3 --temperature 0.5", "--temperature" },
        { "generate --checkpoint {nope} --beam 3 --top-k 5", "--top-k" }, { "generate --checkpoint {nope} --beam 3 --top-p 0.9", "--top-p" },
        { "generate --checkpoint {nope} --beam 3 --seed 7", "--seed shapes sampling; --beam 3 searches instead of sampling" },
        { "generate --checkpoint {nope} --temperature 0 --seed 7", "--seed shapes sampling; --temperature 0 decodes greedily" },
        { "generate --checkpoint {nope} --temperature 0 --top-k 5", "--top-k shapes sampling; --temperature 0 decodes greedily" },
        { "generate --checkpoint {nope} --temperature 0 --top-p 0.5", "--top-p shapes sampling; --temperature 0 decodes greedily" },
        { "generate --checkpoint {nope} --threads 0", "--threads" }, { "generate --checkpoint {nope} --threads 100000", "--threads" },
        { "generate --checkpoint {ckpt} --prompt \u2603", "--prompt" }, { "generate --checkpoint {nope} --beam 256 --length 2000000000", "--beam 256 × --length" },
        // ngram
        { "ngram train -c {nope} --arpa {out.arpa} --order 0", "--order" }, { "ngram train -c {nope} --arpa {out.arpa} --order -1", "--order" },
        { "ngram train -c {nope} --arpa {out.arpa} --order 1000000", "--order" }, { "ngram train -c {nope} --arpa {run}", "--arpa '" },
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing addk --k nan", "--k" },
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing addk --k Infinity", "--k" },
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing addk --k -1", "--k" },
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing stupid --lambda nan", "--lambda" },
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing stupid --lambda 2", "--lambda" },
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing bogus", "--smoothing" },
        // a value a numeric option cannot parse: the option and the range of its type, no .NET type name
        { "train -c {nope} --seed -1", "error: --seed: '-1' is not a whole number in [0, 18446744073709551615]." },
        { "ngram train -c {nope} --arpa {out.arpa} --order 1e400", "error: --order: '1e400' is not a whole number in [-2147483648, 2147483647]." },
        { "ngram generate --arpa {nope} --seed 18446744073709551616", "--seed: '18446744073709551616' is not a whole number in [0, 18446744073709551615]." },
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing addk --k abc", "error: --k: 'abc' is not a number." },
        // an empty path names its option, not the library's parameter
        { "ngram train -c {nope} --arpa ''", "error: --arpa: the value is empty." }, { "eval --checkpoint '' --corpus {nope}", "error: --checkpoint: the value is empty." },
        { "generate --checkpoint ''", "error: --checkpoint: the value is empty." }, { "plot --metrics ''", "error: --metrics: the value is empty." },
        // a decimal comma is no thousands separator: 0,5 was read as 5
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing addk --k 0,5", "error: --k: '0,5' is not a number (the decimal separator is a point, and digits are not grouped)." },
        { "generate --checkpoint {nope} --temperature 1,000", "--temperature: '1,000' is not a number" }, { "generate --checkpoint {nope} --top-p 0,5", "--top-p: '0,5' is not a number" },
        { "classify cv --data {nope} --model rnn --lr 0,01", "--lr: '0,01' is not a number" }, { "classify cv --data {nope} --model rnn --embedding-dropout 0,2", "--embedding-dropout: '0,2' is not a number" },
        { "translate train --pairs {nope} --hidden 1.5", "--hidden: '1.5' is not a whole number in [-2147483648, 2147483647]." },
        { "ngram generate --arpa {nope} --max-tokens -1", "--max-tokens must be ≥ 0, got -1." },
        { "ngram generate --arpa {nope} --prompt <s>", "--prompt contains '<s>', which is reserved for sentence boundaries" }, { "ngram generate --arpa {nope} --count -1", "--count must be ≥ 0, got -1." },
        // classify: options before the data are read
        { "classify cv --data {nope} --folds 0", "--folds" }, { "classify cv --data {nope} --folds 1", "--folds" },
        { "classify cv --data {nope} --only-folds 99", "--only-folds" }, { "classify cv --data {labels.tsv} --folds 100000", "--folds 100000" },
        { "classify cv --data {nope} --model rnn --eval-every 0 --patience 3", "--patience 3 counts evaluations during training, and --eval-every 0 makes none" },
        { "classify cv --data {nope} --model rnn --eval-every 0 --schedule plateau", "--schedule plateau acts after evaluations during training" },
        { "classify cv --data {nope} --model rnn --hidden 0", "--hidden" }, { "classify cv --data {nope} --model mnb-uni --hidden -5", "--hidden" }, { "classify cv --data {nope} --model rnn --batch 0", "--batch" },
        { "classify cv --data {nope} --model rnn --lr nan", "--lr" }, { "classify cv --data {nope} --model rnn --hidden 2000000000", "--hidden" },
        { "classify cv --data {nope} --model rnn --threads 1000", "--threads" }, { "classify cv --data {nope} --threads 0", "--threads" },
        { "classify cv --data {nope} --model rnn --resume {run}", "--resume" }, { "classify cv --data {nope} --checkpoint {out}", "--checkpoint" },
        { "classify cv --data {nope} --model rnn --min-count 0", "--min-count" },
        { "classify train --data {labels.tsv} --checkpoint {out} --min-count 21", "--min-count 21 keeps no word: the most frequent, 'good', occurs 20 times in all the data" }, { "classify cv --data {nope} --model rnn --embedding-dropout 1", "--embedding-dropout" },
        { "classify cv --data {nope} --model rnn --dropout nan", "--dropout" }, { "classify cv --data {nope} --model rnn --clip -1", "--clip" },
        { "classify cv --data {nope} --model rnn --word-dropout 1", "--word-dropout" }, { "classify cv --data {nope} --model rnn --embedding-std 0", "--embedding-std" },
        { "classify cv --data {nope} --model rnn --ensemble 0", "--ensemble" }, { "classify train --data {nope} --checkpoint {out} --word-dropout -0.5", "--word-dropout" },
        { "classify train --data {nope} --checkpoint {out} --ensemble 0", "--ensemble" },
        { "classify train --data {nope} --checkpoint {c.txt}", "--checkpoint " }, { "classify train --data {labels.tsv} --checkpoint {labels.tsv}", "is a file; the classifier is saved as a directory" },
        { "classify cv --data {nope} --model rnn --ensemble 1025", "--ensemble must be in [1, 1024], got 1025." },
        { "classify train --data {nope} --checkpoint {out} --ensemble 1025", "--ensemble must be in [1, 1024], got 1025." },
        { "classify train --data {nope} --checkpoint {out} --batch 2147483647", "--batch must be in [1, 2147483591] (sentences per step), got 2147483647." },
        { "classify cv --data {nope} --model rnn --batch 2147483592", "--batch must be in [1, 2147483591]" },
        { "classify cv --data {long.tsv} --folds 2 --model rnn --embedding 4096 --hidden 4096", "--hidden 4096" },
        { "classify train --data {nope} --checkpoint {out} --hidden 0", "--hidden" }, { "classify train --data {nope} --checkpoint {out} --epochs 0", "--epochs" },
        { "classify train --data {nope} --checkpoint {out} --resume {run}", "--resume" }, { "classify train --data {nope} --threads 1000", "--checkpoint" },
        { "classify predict --checkpoint {nope} --threads 1000", "--threads" }, { "classify predict --checkpoint {nope} --threads 0", "--threads" },
        // forecast: options before the CSV is read
        { "forecast --csv {nope} --value v --protocol split:0.8 --seeds 0", "--seeds" }, { "forecast --csv {nope} --value v --protocol split:0.8 --seeds 1000", "--seeds" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --look-back 0", "--look-back" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --look-back 2000000000", "--look-back" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --hidden 0", "--hidden" }, { "forecast --csv {nope} --value v --protocol split:0.8 --hidden 100000", "--hidden" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --hidden 4096 --look-back 100000", "--look-back 100000" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --lr nan", "--lr" }, { "forecast --csv {nope} --value v --protocol split:0.8 --lr -1", "--lr" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --batch 0", "--batch" }, { "forecast --csv {nope} --value v --protocol split:0.8 --max-steps 0", "--max-steps" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --threads 0", "--threads" }, { "forecast --csv {nope} --value v --protocol split:0.8 --threads 1000", "--threads" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --plot {dir.png}", "--plot '" },   // before training, not when the chart is saved
        { "forecast --csv {nope} --value v --protocol split:nan", "--protocol" }, { "forecast --csv {nope} --value v --protocol last:-1", "--protocol" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --max-order -1", "--max-order" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --max-order 1000000000", "--max-order" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --ar-order 0", "--ar-order" }, { "forecast --csv {nope} --value v --protocol split:0.8 --season 0", "--season" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --horizon 0", "--horizon" }, { "forecast --csv {nope} --value v --protocol split:0.8 --predict -1", "--predict" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --horizon 100001 --strategy direct", "--horizon 100001 --strategy direct" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --transform bogus", "--transform" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --ar-transform diff0", "--ar-transform" },
        { "forecast --csv {s.csv} --value v --date month --protocol split:0.8 --model none --horizon 100", "--horizon" },
        // translate train: options before the pairs are read
        { "translate train --pairs {nope} --hidden 0", "--hidden 0" }, { "translate train --pairs {nope} --batch 0", "--batch" },
        { "translate train --pairs {nope} --lr nan", "--lr" }, { "translate train --pairs {nope} --hidden 100000", "--hidden 100000" },
        { "translate train --pairs {nope} --layers 100000", "--layers 100000" }, { "translate train --pairs {nope} --embedding 2000000000", "--embedding 2000000000" },
        { "translate train --pairs {nope} --threads 1000", "--threads" }, { "translate train --pairs {nope} --time-budget 1e300", "--time-budget" },
        { "translate train --pairs {nope} --eval-every-seconds 1e300", "--eval-every-seconds" }, { "translate train --pairs {nope} --time-budget 1e-9", "--time-budget" },
        { "classify cv --data {nope} --model rnn --eval-every-seconds 1e300", "--eval-every-seconds" },
        { "classify cv --data {nope} --model rnn --eval-every-seconds 10", "--eval-every-seconds: the recurrent classifier evaluates once per epoch" },
        { "classify train --data {nope} --checkpoint {out} --eval-every-seconds 10", "--eval-every-seconds: the recurrent classifier evaluates once per epoch" },
        { "translate train --pairs {nope} --dropout 1", "--dropout" }, { "translate train --pairs {nope} --label-smoothing 1.5", "--label-smoothing" },
        { "translate train --pairs {nope} --label-smoothing -0.1", "--label-smoothing" }, { "translate train --pairs {nope} --label-smoothing nan", "--label-smoothing" }, { "translate train --pairs {nope} --attention luong-dot", "--attention luong-dot takes the dot product of a decoder state (H) with each encoder output, which a bidirectional encoder (--bidirectional true, the default) makes 2H wide: add --bidirectional false, or use --attention luong-general." },
        // translate train: conflicting with --resume (the checkpoint: gru E = 4, H = 8, L = 1, bidirectional, bahdanau)
        { "translate train --pairs {pairs.tsv} --resume {s2s} --hidden 32", "--hidden 32 conflicts with --resume" },
        { "translate train --pairs {pairs.tsv} --resume {s2s} --cell lstm", "--cell lstm conflicts with --resume" },
        { "translate train --pairs {pairs.tsv} --resume {s2s} --attention luong-general", "--attention luong-general conflicts with --resume" },
        { "translate train --pairs {pairs.tsv} --resume {s2s} --bidirectional false", "--bidirectional False conflicts with --resume" },
        // translate eval and translate
        { "translate eval --pairs {nope} --checkpoint {s2s} --beam 0", "--beam" }, { "translate eval --pairs {nope} --checkpoint {s2s} --beam 100000", "--beam" },
        { "translate eval --pairs {nope} --baseline memory --output {run}", "--output '" },
        { "translate --checkpoint {nope} --beam 100000", "--beam" }, { "translate --checkpoint {nope} --beam -1", "--beam" },
        { "translate --checkpoint {nope} --beam 3 --length-penalty nan", "--length-penalty" },
        { "translate eval --pairs {nope} --checkpoint {s2s} --beam 3 --length-penalty -1", "--length-penalty" },
        { "translate --checkpoint {nope} --length-penalty 0.5", "--length-penalty ranks the finished hypotheses of beam search; --beam 1 decodes greedily" },
        { "translate eval --pairs {nope} --checkpoint {s2s} --beam 1 --length-normalization gnmt", "--length-normalization ranks the finished hypotheses of beam search" },
        { "translate --checkpoint {nope} --max-len-a -1", "--max-len-a must be a number in [0, 100], got -1." },
        { "translate eval --pairs {nope} --checkpoint {s2s} --max-len-a nan", "--max-len-a must be a number in [0, 100], got NaN." },
        { "translate --checkpoint {nope} --max-len-a 1e300", "--max-len-a must be a number in [0, 100], got 1E+300." },
        { "translate --checkpoint {nope} --beam 3 --max-len-b 2000000000", "--max-len-b must be at most 10,000, got 2000000000." },
        { "translate --checkpoint {nope} --max-len-a 0 --max-len-b 3 --min-len 3", "--min-len 3 is not below the longest output --max-len-a 0 --max-len-b 3 allows (3 tokens" },
        { "translate --checkpoint {nope} --max-source-tokens 0 Go.", "--max-source-tokens must be ≥ 1, got 0." },
        { "translate --checkpoint {nope} --min-len -2", "--min-len must be ≥ 0, got -2." },
        { "translate eval --pairs {nope} --checkpoint {s2s} --no-repeat-ngram-size -1", "--no-repeat-ngram-size must be ≥ 0 (0: off), got -1." },
        // plot
        { "plot --metrics {nope} --out {out.txt}", "--out" }, { "plot --metrics {nope} --out {dir.png}", "--out '" },
        // an option the other options make ineffective, given on the command line, is refused naming both
        { "train -c {nope} --momentum 0.9", "--momentum applies to --optimizer sgd (Adam and AdamW take no momentum), not --optimizer adam (the default)" },
        { "train -c {nope} --optimizer adamw --nesterov", "--nesterov applies to --optimizer sgd (Adam and AdamW take no momentum), not --optimizer adamw" },
        { "train -c {nope} --gamma 0.3", "--gamma applies to --schedule step or plateau, not --schedule constant (the default)" },
        { "train -c {nope} --schedule plateau --step-size 2", "--step-size applies to --schedule step, not --schedule plateau" },
        { "train -c {nope} --schedule cosine --epochs 3 --first-decay-epoch 2", "--first-decay-epoch applies to --schedule step, not --schedule cosine" },
        { "translate train --pairs {nope} --schedule constant --gamma 0.5", "--gamma applies to --schedule step or plateau, not --schedule constant" },
        { "translate train --pairs {nope} --momentum 0.9", "--momentum applies to --optimizer sgd" },
        { "translate train --pairs {nope} --input-feeding", "--input-feeding applies to --attention luong-dot or luong-general, not --attention bahdanau (the default)" },
        { "translate train --pairs {nope} --attention none --input-feeding", "--input-feeding applies to --attention luong-dot or luong-general, not --attention none:" },
        { "classify cv --data {nope} --model rnn --momentum 0.9", "--momentum applies to --optimizer sgd" },
        { "ngram train -c {nope} --arpa {out.arpa} --k 2", "--k applies to --smoothing addk, not --smoothing mkn (the default)" },
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing addk --lambda 0.5", "--lambda applies to --smoothing stupid, not --smoothing addk" },
        { "ngram train -c {nope} --arpa {out.arpa} --smoothing wb --discount-fallback", "--discount-fallback applies to --smoothing mkn, kn or abs" },
        { "translate eval --pairs {nope} --baseline memory --beam 5", "--beam applies to a model's decoding (--checkpoint DIR), not --baseline memory" },
        { "translate eval --pairs {nope} --baseline memory --replace-unk", "--replace-unk applies to a model's decoding" },
        { "translate eval --pairs {nope} --baseline memory --length-penalty 0.5", "--length-penalty applies to a model's decoding" },
        { "translate eval --pairs {nope} --baseline memory --length-normalization gnmt", "--length-normalization applies to a model's decoding" },
        { "translate eval --pairs {nope} --baseline memory --max-len-b 5", "--max-len-b applies to a model's decoding" },
        { "translate eval --pairs {nope} --baseline memory --no-repeat-ngram-size 2", "--no-repeat-ngram-size applies to a model's decoding" },
        { "eval --checkpoint {ckpt} -c {nope} --stepper --batch 4", "--batch shapes the batched scoring; --stepper scores one stream at batch 1" },
        { "eval --checkpoint {ckpt} -c {nope} --int8 --steps 8", "--steps shapes the batched scoring; --int8 scores one stream at batch 1" },
        { "eval --arpa {m.arpa} -c {nope} --threads 2", "--threads applies to a neural --checkpoint, not an --arpa model" },
        { "eval --arpa {m.arpa} -c {nope} --batch 2", "--batch applies to a neural --checkpoint, not an --arpa model" },
        { "classify cv --data {nope} --model mnb-uni --hidden 5", "--hidden applies to --model rnn or rnn+nbsvm, not --model mnb-uni" },
        { "classify cv --data {nope} --epochs 3", "--epochs applies to --model rnn or rnn+nbsvm, not --model nbsvm-bi (the default)" },
        { "classify cv --data {nope} --model mnb-bi --ensemble 2", "--ensemble applies to --model rnn or rnn+nbsvm, not --model mnb-bi" },
        { "classify cv --data {nope} --model rnn+nbsvm --ensemble 2", "--ensemble applies to --model rnn, not --model rnn+nbsvm" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --model none --calendar month", "--calendar applies to the recurrent model, not --model none" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --model none --transform log", "--transform applies to the recurrent model, not --model none" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --model none --look-back 12", "--look-back applies to the recurrent model, not --model none" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --ar-order 3 --max-order 5", "--max-order bounds the AIC search of the AR order, which --ar-order 3 replaces" },
    };

    /// <summary>
    /// Options the data are too short for: refused after the data are read and before anything is fitted, naming the
    /// option (first text) and the largest value the data allow or what they lack (second text). s.csv has 60 rows, 48
    /// of them training rows under split:0.8.
    /// </summary>
    public static TheoryData<string, string, string> DataLimitCases() => new()
    {
        { "forecast --csv {s.csv} --value v --date month --protocol split:0.8 --model none --ar-order 200", "--ar-order 200: AR(200)", "leaves 48: use --ar-order ≤ 23." },
        { "forecast --csv {s.csv} --value v --date month --protocol split:0.8 --model none --max-order 30", "--max-order 30: the AIC search", "leaves 48: use --max-order ≤ 23." },
        { "forecast --csv {s.csv} --value v --date month --protocol split:0.8 --model none --ar-order 22 --horizon 5 --strategy direct",
            "--ar-order 22 with --horizon 5 --strategy direct", "needs at least 49 rows" },
        { "forecast --csv {s.csv} --value v --date month --protocol split:0.8 --model none --max-order 10 --ar-transform diff100000000",
            "--ar-transform diff100000000", "needs more than 100,000,000; --protocol split:0.8 leaves 48." },
        { "forecast --csv {s.csv} --value v --date month --protocol split:0.8 --model none --max-order 10 --season 100", "--season 100", "needs at least 100 training rows" },
        { "forecast --csv {s.csv} --value v --date month --protocol split:0.8 --max-order 10 --transform none --look-back 200", "--look-back 200", "leaves 48: use --look-back ≤ 44." },
        { "forecast --csv {s.csv} --value v --date month --protocol split:0.8 --max-order 10 --transform diff12 --look-back 40", "--look-back 40", "after the lag 12 of its transform diff(12)" },
        { "forecast --csv {s.csv} --value v --date month --protocol last:54 --season 2 --max-order 1", "--transform auto", "needs at least 7 training rows; --protocol last:54 leaves 6" },
        { "train -c {c.txt} --batch 64 --sample 0", "{c.txt}: the training text has 828 tokens", "--batch 64 streams × (--bptt 64 steps + 1 target) = 4,160" },
        { "train -c {c.txt} --batch 8 --bptt 4 --valid-fraction 0.01", "{c.txt}: the validation text has 10 tokens", "--batch 8 streams × 2 (one input, one target) = 16: give a larger --valid-fraction" },
        { "train --train {c.txt} --valid {oneline.txt} --batch 8 --bptt 4", "{oneline.txt}: the validation text has 13 tokens", "= 16: give a longer --valid text" },
        { "classify cv --data {four.tsv} --folds 2 --model rnn", "--model rnn --folds 2, fold 0", "leaves no validation sentence" },
        { "classify cv --data {four.tsv} --folds 2 --model rnn+nbsvm", "--model rnn+nbsvm --folds 2, fold 0", "leaves no validation sentence" },
        { "classify train --data {two.tsv} --checkpoint {out}", "--data", "leaves no validation sentence" },
        // data the model or cross-validation cannot use: refused after reading, before the table's header, naming the file
        { "classify cv --pos {oneline.txt} --neg {neg.txt} -k 2", "--pos {oneline.txt}: class 'pos' has 1 sentence", "cross-validation needs at least 2 of each class" },
        { "classify cv --data {oneclass.tsv}", "--data {oneclass.tsv}: all 20 sentences have the label 'pos'", "needs at least 2 classes." },
        { "classify cv --data {oneclass.tsv} --model rnn", "--data {oneclass.tsv}: all 20 sentences", "needs at least 2 classes." },
        { "classify train --data {oneclass.tsv} --checkpoint {out}", "--data {oneclass.tsv}: all 20 sentences", "needs at least 2 classes." },
        { "classify cv --data {twenty.tsv} -k 2", "--model nbsvm-bi (the default) is binary (NBSVM); --data {twenty.tsv} has 20 classes", "use --model mnb-bi, mnb-uni or rnn." },
        { "classify cv --data {twenty.tsv} -k 2 --model rnn+nbsvm", "--model rnn+nbsvm is binary (NBSVM); --data {twenty.tsv} has 20 classes", "use --model" },
        // more folds than an array holds: the count is checked against the data before any array of folds is made
        { "classify cv --data {labels.tsv} --folds 2147483647", "--folds 2147483647", "the data have only 40 sentences." },
        { "classify cv --data {labels.tsv} -k 2147483592 --only-folds 0,1", "--folds 2147483592", "the data have only 40 sentences." },
    };

    [Theory]
    [MemberData(nameof(DataLimitCases))]
    public void OptionBeyondTheData_IsRefusedWithItsLimit(string commandLine, string named, string limit)
    {
        named = Expand(named);
        string line = BadOption_FailsFast_WithOneErrorLineNamingTheOption(commandLine, named);
        Assert.Contains(limit, line);
    }

    /// <summary>Models too large for the memory: refused with the estimate before the data are read (or, for the classifier, before training).</summary>
    public static TheoryData<string, string> MemoryCases() => new()
    {
        { "train -c {nope} --hidden 20000 --layers 4", "--hidden 20000" },
        { "translate train --pairs {nope} --hidden 100000", "--hidden 100000" },
        { "translate train --pairs {nope} --layers 100000", "--layers 100000" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --hidden 4096 --look-back 100000", "--look-back 100000" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --hidden 1 --batch 1 --look-back 100000 --linear-path --horizon 100000 --strategy direct", "--horizon 100000 --strategy direct" },
        { "forecast --csv {nope} --value v --protocol split:0.8 --hidden 1 --batch 1 --look-back 100000 --linear-path --horizon 2 --predict 100000 --strategy direct", "--predict 100000 --strategy direct" },
        { "classify cv --data {long.tsv} --folds 2 --model rnn --embedding 4096 --hidden 4096", "--hidden 4096" },
        { "classify train --data {long.tsv} --checkpoint {out} --embedding 4096 --hidden 4096", "--hidden 4096" },
    };

    [Theory]
    [MemberData(nameof(MemoryCases))]
    public void TooLargeForTheMemory_IsRefusedWithTheEstimate(string commandLine, string named)
    {
        string line = BadOption_FailsFast_WithOneErrorLineNamingTheOption(commandLine, named);
        Assert.Matches(@"training needs ≈ [0-9.]+ GB \(.*\), [0-9.]+ GB available\.$", line);
    }

    [Fact]
    public void EvalWindowsTooLargeForTheMemory_AreRefusedBeforeScoring()
    {
        // One window of min(B·T, ~690 000 characters) positions, each with logits and softmax over 100 002 words: ≈ 550 GB.
        string line = BadOption_FailsFast_WithOneErrorLineNamingTheOption("eval --checkpoint {bigv} -c {words.txt} --batch 1000 --steps 1000", "--batch 1000 × --steps 1000");
        Assert.Matches(@"need ≈ [0-9.]+ GB, [0-9.]+ GB available\.$", line);
    }

    /// <summary>
    /// Outputs that cannot be written, refused before any input is read: a path under a file ({c.txt} is one), a checkpoint
    /// directory that is a file, and a folder that cannot be written (/sys, even for root). The error names the path given.
    /// </summary>
    public static TheoryData<string, string> OutputCases() => new()
    {
        { "forecast --csv {nope} --value v --protocol split:0.8 --plot {c.txt}/p.png", "error: --plot '{c.txt}/p.png': '{c.txt}' is a file, not a folder, so no file can be written under it." },
        { "forecast --csv {nope} --value v --protocol split:0.8 --model none --plot /sys/seqlearn-p.png", "error: --plot '/sys/seqlearn-p.png': the folder '/sys' cannot be written (permission denied)." },
        { "ngram train --corpus {nope} --arpa {c.txt}/x.arpa", "error: --arpa '{c.txt}/x.arpa': '{c.txt}' is a file, not a folder" },
        { "ngram train --corpus {nope} --arpa /sys/seqlearn.arpa", "error: --arpa '/sys/seqlearn.arpa': the folder '/sys' cannot be written" },
        { "translate eval --pairs {nope} --baseline memory --output {c.txt}/o.tsv", "error: --output '{c.txt}/o.tsv': '{c.txt}' is a file, not a folder" },
        { "plot --metrics {nope} --out {c.txt}/a/b.png", "error: --out '{c.txt}/a/b.png': '{c.txt}' is a file, not a folder" },
        { "translate --checkpoint {nope} --attention-plot {c.txt}/a.png Go.", "error: --attention-plot '{c.txt}/a.png': '{c.txt}' is a file, not a folder" },
        { "train -c {nope} --checkpoint {c.txt}", "error: --checkpoint '{c.txt}' is a file; the output is a directory: give another path." },
        { "train -c {nope} --checkpoint {c.txt}/ck", "error: --checkpoint '{c.txt}/ck': '{c.txt}' is a file, not a folder, so no directory can be written under it." },
        { "train -c {nope} --metrics {c.txt}/m.jsonl", "error: --metrics '{c.txt}/m.jsonl': '{c.txt}' is a file, not a folder" },
        { "translate train --pairs {nope} --checkpoint /sys/seqlearn-ck", "error: --checkpoint '/sys/seqlearn-ck': the folder '/sys' cannot be written (permission denied)." },
        { "classify train --data {nope} --checkpoint {c.txt}/ck", "error: --checkpoint '{c.txt}/ck': '{c.txt}' is a file, not a folder" },
    };

    [Theory]
    [MemberData(nameof(OutputCases))]
    public void UnwritableOutput_IsRefusedBeforeTheWork_NamingThePathGiven(string commandLine, string expected) =>
        Assert.StartsWith(Expand(expected), BadOption_FailsFast_WithOneErrorLineNamingTheOption(commandLine, ""));

    // {name} → the fixture's file of that name, wherever it stands in the text.
    private string Expand(string text) => Regex.Replace(text, @"\{([^}]+)\}", m => files.Dir.Combine(m.Groups[1].Value));

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadOption_FailsFast_WithOneErrorLine(string commandLine, string named) => BadOption_FailsFast_WithOneErrorLineNamingTheOption(commandLine, named);

    private string BadOption_FailsFast_WithOneErrorLineNamingTheOption(string commandLine, string named)
    {
        string[] args = [.. commandLine.Split(' ').Select(a => a == "''" ? "" : Expand(a))];   // '' stands for an empty argument
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();
        int code = CliApp.Run(args, output, error);
        double seconds = clock.Elapsed.TotalSeconds;
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(code == 1, $"exit code {code}; output: {output}");
        Assert.True(lines.Length == 1, $"expected one line, got {lines.Length}:\n{error}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(named, lines[0]);
        Assert.DoesNotContain("   at ", error.ToString() + output);
        Assert.DoesNotContain("Exception", lines[0]);
        Assert.DoesNotContain("'System.", lines[0]);   // a .NET type name, e.g. of an option's value
        Assert.DoesNotContain("(Parameter '", lines[0]);   // .NET's suffix names a parameter the user never passed
        Assert.DoesNotMatch(CliRun.TypeName, lines[0]);   // a library type, e.g. "LanguageModelConfig: ", where the user gave options
        Assert.True(output.ToString().Length == 0, $"work started before the option was refused; output: {output}");
        Assert.True(seconds < 5, $"took {seconds:F1} s: the option was not refused before the work started. error: {error}");
        return lines[0];
    }
}
