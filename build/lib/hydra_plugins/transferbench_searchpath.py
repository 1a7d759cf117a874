"""Hydra discovers this module (the ``hydra_plugins`` namespace): it adds the config folders of
transferbench's plugins and of ``TRANSFERBENCH_CONFIG_PATH`` to every config search path, so that
their YAMLs are choices of the groups everywhere, ``glob(...)`` sweeps of the presets included."""

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin

from transferbench.plugins import config_search_path


class TransferbenchSearchPath(SearchPathPlugin):
    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        for path in config_search_path():
            search_path.append(provider="transferbench", path=path)
