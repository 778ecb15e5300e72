#!/bin/sh
# Draws every picture of docs/img/ with the commands the README and docs
# show, from the program as it is now: `ninja -C build pictures` runs it.
# Fashion-MNIST's pictures need the data set (apt-get install
# dataset-fashion-mnist; about a minute of training); without it they are
# left as they are, and the script says so.
# usage: tools/pictures.sh XORNET SOURCE_ROOT
set -eu
xornet=$1
cd "$2"
img=docs/img
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# README.md and docs/models.md: the notebooks' experiments
"$xornet" models --plot "$tmp/models" >/dev/null
for f in nb0-m4-loss nb0-m4-surface nb0-m2-surface nb2-loss nb2-surface nb2-hand-surface nb3-surface; do
    cp "$tmp/models/$f.png" "$img/$f.png"
done

# docs/training.md: a classifier and a regression with their test rows
"$xornet" train --data data/iris-train.csv --test data/iris-test.csv --plot "$tmp/iris" --quiet >/dev/null
cp "$tmp/iris/loss.png" "$img/iris-loss.png"
cp "$tmp/iris/confusion.png" "$img/iris-confusion.png"
"$xornet" train --data data/diabetes-train.csv --test data/diabetes-test.csv --plot "$tmp/diabetes" \
    --quiet >/dev/null
cp "$tmp/diabetes/predicted.png" "$img/diabetes-predicted.png"

# docs/approx.md: the GCV fit of the noisy example
"$xornet" approx --fn sin --n 200 --noise 0.1 --seed 1 --gcv --gcv-max 40 --plot "$img/approx-gcv.png" >/dev/null

# README.md: Fashion-MNIST, the data set's benchmark recipe
d=/usr/share/datasets/fashion-mnist
if [ -r "$d/train-images-idx3-ubyte.gz" ]; then
    "$xornet" train --data "$d/train-images-idx3-ubyte.gz" --labels "$d/train-labels-idx1-ubyte.gz" \
        --test "$d/t10k-images-idx3-ubyte.gz" --test-labels "$d/t10k-labels-idx1-ubyte.gz" \
        --layers 784,256,10 --batch 128 --epochs 10 --val-split 0 --plot "$tmp/fashion" --quiet >/dev/null
    cp "$tmp/fashion/loss.png" "$img/fashion-loss.png"
    cp "$tmp/fashion/metric.png" "$img/fashion-accuracy.png"
    cp "$tmp/fashion/confusion.png" "$img/fashion-confusion.png"
else
    echo "pictures.sh: $d not installed: the Fashion-MNIST pictures are left as they were" >&2
fi
echo "pictures.sh: $img drawn by $xornet"
