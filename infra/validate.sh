#!/usr/bin/env bash
# terraform init + validate on every synthesized stack. Downloads the azurerm provider, so it needs
# internet access: the GitHub Actions CI workflow runs it; these offline machines cannot.
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  # The header comment above is the help: one text for readers of the file and of the terminal.
  echo "usage: npm run validate:infra"
  echo
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi
set -euo pipefail
cd "$(dirname "$0")/.."
npm run synth --silent
for stack in cdktf.out/stacks/*/; do
  echo "validating ${stack}"
  terraform -chdir="${stack}" init -backend=false -input=false >/dev/null
  terraform -chdir="${stack}" validate
done
