"""The same network and training loop in PyTorch (CPU, float32), for the benchmark's third column.

Imported only when torch is installed; nothing else in the package depends on it.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

THREADS = 2

_HIDDEN = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}


class TorchMLP:
    def __init__(self, weights, biases, hidden: str, output: str, eta: float):
        torch.set_num_threads(THREADS)
        layers = []
        for l, (w, b) in enumerate(zip(weights, biases)):
            lin = nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():       # nn.Linear's weight is (out, in): the engine's orientation
                lin.weight.copy_(torch.from_numpy(np.asarray(w, np.float32)))
                lin.bias.copy_(torch.from_numpy(np.asarray(b, np.float32)))
            layers.append(lin)
            if l < len(weights) - 1:
                layers.append(_HIDDEN[hidden]())
        self.model = nn.Sequential(*layers)          # outputs logits; the loss applies the output layer
        self.output = output
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=eta)
        self.bce = nn.BCEWithLogitsLoss(reduction="sum")
        self.nll = nn.CrossEntropyLoss()

    def __repr__(self):
        return f"TorchMLP({self.model}, output={self.output})"

    def _loss(self, logits, y, labels):
        if self.output == "sigmoid":    # cross-entropy summed over outputs, mean over the batch, as the engine
            return self.bce(logits, y) / logits.shape[0]
        return self.nll(logits, labels)  # softmax + log-likelihood, mean over the batch

    def train(self, x, y, order, batch: int) -> None:
        """x, y: float32 numpy arrays (y one-hot); order: int64 row order; plain zero_grad/backward/step."""
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        labels = yt.argmax(dim=1)
        idx_all = torch.from_numpy(np.asarray(order, np.int64))
        model, opt = self.model, self.optimizer
        for start in range(0, len(idx_all), batch):
            idx = idx_all[start:start + batch]
            opt.zero_grad(set_to_none=True)
            loss = self._loss(model(xt[idx]), yt[idx], labels[idx])
            loss.backward()
            opt.step()

    def params(self) -> np.ndarray:
        return np.concatenate([p.detach().numpy().ravel() for p in self.model.parameters()])


def version() -> str:
    return torch.__version__
