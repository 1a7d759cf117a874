"""Knowledge distillation (Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural Network",
NIPS Deep Learning Workshop 2015, §2).

With temperature T, the teacher's and the student's softened class distributions are

    p_T = softmax(z_teacher / T),    q_T = softmax(z_student / T),

and the soft-target term is T² · KL(p_T ‖ q_T), averaged over the batch. Its gradients scale as
1/T², so multiplying by T² "ensures that the relative contributions of the hard and soft targets
remain roughly unchanged" when T changes (§2.1). A student is trained on
(1 − α) · CE(y, q_1) + α · T² · KL(p_T ‖ q_T).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def distillation_loss(
    student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float
) -> torch.Tensor:
    """T² · KL(softmax(teacher / T) ‖ softmax(student / T)), the mean over the batch."""
    return temperature**2 * softened_divergence(student_logits, teacher_logits, temperature)


def softened_divergence(
    student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float
) -> torch.Tensor:
    """KL(softmax(teacher / T) ‖ softmax(student / T)), the mean over the batch, unscaled (LwF's
    old-task term)."""
    student = F.log_softmax(student_logits / temperature, dim=1)
    teacher = F.log_softmax(teacher_logits / temperature, dim=1)
    return F.kl_div(student, teacher, reduction="batchmean", log_target=True)
