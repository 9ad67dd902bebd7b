"""Load DIET without tracing its training step.

Rasa 3.6 builds a loaded model's weights by fitting it on one example (`RasaModel.load`), which
makes Keras trace the whole training graph with autograph: most of the 45 s a warm start spent
loading the model on two cores, for weights that `load_weights` overwrites at once. `install()`
(called when the engine loads our channels, bot/operations.py) runs that one step eagerly for
DIET, which builds the same variables in about a second; the trained weights, the prediction
graph and every prediction stay exactly as before. TED is left as Rasa loads it: run eagerly, its
step skips branches whose layers the prediction needs, so they would not be restored.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.utils.tensorflow.constants import LEARNING_RATE
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

_RASA_LOAD = RasaModel.load.__func__


def load(
    cls: type[RasaModel],
    model_file_name: str,
    model_data_example: RasaModelData,
    predict_data_example: RasaModelData | None = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """RasaModel.load, with DIET's weight-building step run eagerly."""
    if not issubclass(cls, DIET) or finetune_mode:
        return _RASA_LOAD(
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
        )
    model = cls(*args, **kwargs)
    learning_rate = kwargs.get("config", {}).get(LEARNING_RATE, 0.001)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), run_eagerly=True)
    model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
    model.load_weights(model_file_name)
    if predict_data_example:
        # the first prediction traces the prediction graph: done now, not on a resident's turn
        model.run_inference(predict_data_example)
    return model


def install() -> None:
    RasaModel.load = classmethod(load)
