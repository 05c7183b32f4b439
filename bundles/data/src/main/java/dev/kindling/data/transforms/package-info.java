/**
 * Transforms with torchvision's semantics ({@code torchvision.transforms}): {@link dev.kindling.data.transforms.Compose},
 * {@link dev.kindling.data.transforms.ToTensor}, {@link dev.kindling.data.transforms.Normalize},
 * {@link dev.kindling.data.transforms.RandomHorizontalFlip}, {@link dev.kindling.data.transforms.RandomCrop},
 * {@link dev.kindling.data.transforms.Resize}, {@link dev.kindling.data.transforms.CenterCrop},
 * {@link dev.kindling.data.transforms.RandomRotation}, {@link dev.kindling.data.transforms.Lambda}.
 *
 * <p><b>Image layouts.</b> A UINT8 tensor is an image as the datasets return it, in HWC layout ({@code [H, W, C]}, or
 * {@code [H, W]}): the counterpart of the PIL image torchvision's datasets give, and spatial transforms on it follow
 * PIL's arithmetic (Resize is PIL's antialiased bilinear filter, RandomRotation PIL's nearest-neighbour affine map).
 * Any other tensor is a tensor image in {@code [..., C, H, W]} layout, what {@link dev.kindling.data.transforms.ToTensor}
 * returns, and follows torchvision's tensor code paths ({@code interpolate}, {@code grid_sample}).
 *
 * <p><b>Randomness.</b> Random transforms draw from {@link dev.kindling.data.DataRandom#generator()}: the
 * {@link dev.kindling.data.DataLoader}'s per-sample seeded generator inside a loader, the default generator
 * otherwise. They draw the same numbers in the same order as torchvision, so with the same generator state they make
 * the same choices.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.data.transforms;
