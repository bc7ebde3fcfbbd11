// Three short programs that use SeqLearn.Engine as a package user would: `classifier`, `regressor`, `sampling`.
// Each prints one line and exits with 1 when its result is not what a working package gives.
return args switch
{
    ["classifier"] => Consumer.ClassifierProgram.Run(),
    ["regressor"] => Consumer.RegressorProgram.Run(),
    ["sampling"] => Consumer.SamplingProgram.Run(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Consumer classifier|regressor|sampling");
    return 2;
}
