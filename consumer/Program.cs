// Five short programs that use SeqLearn.Engine as a package user would: `classifier`, `regressor`, `sampling`,
// `translator`, and `custom-cell`, which extends the library (a custom op, a new recurrent cell) from its public API.
// Each prints one line and exits with 1 when its result is not what a working package gives.
return args switch
{
    ["classifier"] => Consumer.ClassifierProgram.Run(),
    ["regressor"] => Consumer.RegressorProgram.Run(),
    ["sampling"] => Consumer.SamplingProgram.Run(),
    ["translator"] => Consumer.TranslatorProgram.Run(),
    ["custom-cell"] => Consumer.CustomCellProgram.Run(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Consumer classifier|regressor|sampling|translator|custom-cell");
    return 2;
}
