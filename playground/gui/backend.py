"""How a run session makes engine objects (datasets, networks, trainers, model files).
Tests may substitute a subclass or patch its methods."""
from __future__ import annotations


class CoreBackend:
    probe_every = 0.25

    def load_dataset(self, name, *, noise, test_ratio, seed, data_dir=None, allow_download=False, progress=None,
                     **subset):
        """``subset``: train_size, validation_size, n_samples, standardise (a lesson's smaller share)."""
        from playground.core.data.dataset import load_dataset
        return load_dataset(name, data_dir=data_dir or None, noise=noise, test_ratio=test_ratio, seed=seed,
                            allow_download=allow_download, progress=progress, **subset)

    def network(self, spec, seed):
        from playground.core.network import Network
        return Network(spec, seed=seed)

    def trainer(self, network, dataset, config):
        from playground.core.trainer import Trainer
        return Trainer(network, dataset, config, probe_every=self.probe_every)

    def save_model(self, trainer, path):
        return trainer.save(path, dataset_name=trainer.dataset.name)

    def load_model(self, path, progress=None):
        from playground.core.persist import load_model
        return load_model(path, progress=progress)

    def trainer_from_saved(self, loaded, dataset, config):
        from playground.core.trainer import Trainer
        return Trainer.from_saved(loaded, dataset, config, probe_every=self.probe_every)
