#!/usr/bin/env bash
# terraform init + validate on every synthesized stack. Downloads the azurerm provider, so it needs
# internet access: the GitHub Actions CI workflow runs it; these offline machines cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run synth --silent
for stack in cdktf.out/stacks/*/; do
  echo "validating ${stack}"
  terraform -chdir="${stack}" init -backend=false -input=false >/dev/null
  terraform -chdir="${stack}" validate
done
