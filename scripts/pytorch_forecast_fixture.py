#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for SeqLearn's forecasting network (Engine/Forecasting).

Run from the repository root with the system PyTorch (1.13) and numpy (the `safetensors` package is not needed):

    /usr/bin/python3 scripts/pytorch_forecast_fixture.py

For each case it builds RecurrentForecastNetwork (Engine/Forecasting/RecurrentForecastNetwork.cs) in float64,
weights from torch.manual_seed(SEED), no dropout, and runs one batch of windows x (B, T, F) with targets y (B, K):

    h = RNN(x)[:, T - 1, :]                   nn.LSTM / nn.GRU / nn.RNN(tanh), batch_first, L layers, the last step
    z = W h + b                               nn.Linear(H, K)
    z = W h + b + A vec(x)                    with the linear path: nn.Linear(T*F, K, bias=False), vec(x) (B, T*F)
    loss = mean over B*K of (z - y)^2         F.mse_loss, the loss of WindowRegressionTask

The modules carry SeqLearn's parameter names, which are therefore also the PyTorch state_dict names: the recurrent
part is a child "rnn" holding "0" (the recurrent layer) and "2" (the head; SeqLearn's Sequential numbers its children
0, 1, 2 and child 1, LastStep, has no parameters), and the linear path is "ar". So: rnn.0.weight_ih_l0,
rnn.0.weight_hh_l0, rnn.0.bias_ih_l0, rnn.0.bias_hh_l0 (… _l1 for a second layer), rnn.2.weight, rnn.2.bias,
ar.weight. SeqLearn starts A at zero; here A keeps PyTorch's default uniform draw so the path is exercised. The
network has no scaling of its own: the standard scaler is a series transform outside it (TransformedForecaster).

Each case is one F64 safetensors file Engine.Tests/Fixtures/forecasting/<name>.safetensors holding
    <parameter name>        the weights
    grad.<parameter name>   dloss/dparameter
    x (B, T, F), y (B, K), output (B, K), loss (1)
and, in __metadata__, the configuration (cell, look_back, features, hidden, layers, horizon, linear_path, batch) and
the torch version. The file is written atomically, then read back, loaded into a fresh module with
load_state_dict(strict=True) and run again: the outputs must be bit-identical.
Engine.Tests/Forecasting/ForecastPyTorchParityTests.cs compares SeqLearn's network with these files.
"""
import os

import torch
import torch.nn.functional as F
from torch import nn

from safetensors_io import read_safetensors, write_fixture

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Engine.Tests", "Fixtures", "forecasting")
SEED = 2024
DATA_KEYS = ("x", "y", "output", "loss")

CASES = [
    # name, cell, T (look-back), F (features), H (hidden), L (layers), K (horizon), linear path, B (batch)
    ("lstm_f1_k1", "lstm", 6, 1, 4, 1, 1, False, 5),
    ("gru_linear_f3_k3", "gru", 5, 3, 4, 1, 3, True, 4),
    ("lstm_2layers_linear_f3_k2", "lstm", 5, 3, 3, 2, 2, True, 3),
    ("rnn_tanh_2layers_f1_k4", "rnn", 7, 1, 5, 2, 4, False, 4),
]


class Recurrent(nn.Module):
    """SeqLearn's Sequential(RecurrentLayer, LastStep, Linear): children "0" and "2"."""

    def __init__(self, cell, features, hidden, layers, outputs):
        super().__init__()
        kind = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.add_module("0", kind(features, hidden, num_layers=layers, batch_first=True))
        self.add_module("2", nn.Linear(hidden, outputs))

    def forward(self, x):
        out, _ = getattr(self, "0")(x)
        return getattr(self, "2")(out[:, -1, :])


class ForecastNetwork(nn.Module):
    def __init__(self, cell, look_back, features, hidden, layers, outputs, linear_path):
        super().__init__()
        self.rnn = Recurrent(cell, features, hidden, layers, outputs)
        self.ar = nn.Linear(look_back * features, outputs, bias=False) if linear_path else None

    def forward(self, x):
        z = self.rnn(x)
        if self.ar is not None:
            z = z + self.ar(x.reshape(x.shape[0], -1))
        return z


def make(name, cell, look_back, features, hidden, layers, horizon, linear_path, batch):
    torch.manual_seed(SEED)
    model = ForecastNetwork(cell, look_back, features, hidden, layers, horizon, linear_path).double()
    model.train()                                     # no dropout anywhere; train() only to mirror the training pass
    x = torch.randn(batch, look_back, features, dtype=torch.float64)
    y = torch.randn(batch, horizon, dtype=torch.float64)
    output = model(x)
    loss = F.mse_loss(output, y)
    loss.backward()

    tensors = {"x": x.numpy(), "y": y.numpy(), "output": output.detach().numpy(), "loss": loss.detach().reshape(1).numpy()}
    for pname, p in model.named_parameters():
        assert pname not in DATA_KEYS and not pname.startswith("grad."), pname
        tensors[pname] = p.detach().numpy()
        tensors["grad." + pname] = p.grad.numpy()
    metadata = {"cell": cell, "look_back": str(look_back), "features": str(features), "hidden": str(hidden),
                "layers": str(layers), "horizon": str(horizon), "linear_path": str(linear_path).lower(),
                "batch": str(batch), "seed": str(SEED), "torch": torch.__version__}
    path = os.path.join(OUT_DIR, name + ".safetensors")
    write_fixture(path, tensors, metadata)

    with open(path, "rb") as f:
        stored, stored_meta = read_safetensors(f.read())
    stored = {k: torch.from_numpy(v) for k, v in stored.items()}
    assert stored_meta == metadata
    fresh = ForecastNetwork(cell, look_back, features, hidden, layers, horizon, linear_path).double()
    fresh.load_state_dict({k: v for k, v in stored.items() if k not in DATA_KEYS and not k.startswith("grad.")}, strict=True)
    with torch.no_grad():
        again = fresh(stored["x"])
    assert torch.equal(again, stored["output"]), f"{name}: the stored weights do not reproduce the outputs"
    return path


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for case in CASES:
        make(*case)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
