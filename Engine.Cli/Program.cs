return SeqLearn.Cli.CliApp.Run(args);
