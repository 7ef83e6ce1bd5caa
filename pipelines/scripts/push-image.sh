#!/usr/bin/env bash
# Builds a container service's image from its Dockerfile and pushes it to the service's ECR
# repository under an immutable tag, then waits for the scan on push and fails on critical or
# high findings. With SOURCE_REPOSITORY set, it promotes instead: the image already pushed (and
# scanned) there under the same tag is pulled and pushed unchanged, so prod runs dev's bytes.
#
#   REPOSITORY_NAME    target repository, e.g. shop/dev/catalog
#   IMAGE_TAG          immutable tag, e.g. the commit ID
#   DOCKERFILE         Dockerfile, relative to the build context (build only)
#   BUILD_CONTEXT      build context directory (build only)
#   SOURCE_REPOSITORY  repository to promote from, e.g. shop/dev/catalog (promote only)
#   PLATFORM           image platform (default linux/arm64)
set -euo pipefail
: "${REPOSITORY_NAME:?}" "${IMAGE_TAG:?}"
platform="${PLATFORM:-linux/arm64}"
account="$(aws sts get-caller-identity --query Account --output text)"
region="${AWS_REGION:?}"
registry="${account}.dkr.ecr.${region}.amazonaws.com"
target="${registry}/${REPOSITORY_NAME}:${IMAGE_TAG}"

if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=${IMAGE_TAG}" >/dev/null 2>&1; then
  # Tags are immutable: a rerun of the same commit finds its image there already.
  echo "${target} exists; not pushing it again"
else
  aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
  if [ -n "${SOURCE_REPOSITORY:-}" ]; then
    docker pull --platform "$platform" "${registry}/${SOURCE_REPOSITORY}:${IMAGE_TAG}"
    docker tag "${registry}/${SOURCE_REPOSITORY}:${IMAGE_TAG}" "$target"
  else
    : "${DOCKERFILE:?}" "${BUILD_CONTEXT:?}"
    docker build --platform "$platform" --file "${BUILD_CONTEXT}/${DOCKERFILE}" --tag "$target" "$BUILD_CONTEXT"
  fi
  docker push "$target"
fi

aws ecr wait image-scan-complete --repository-name "$REPOSITORY_NAME" --image-id "imageTag=${IMAGE_TAG}"
counts="$(aws ecr describe-image-scan-findings --repository-name "$REPOSITORY_NAME" --image-id "imageTag=${IMAGE_TAG}" \
  --query '[imageScanFindings.findingSeverityCounts.CRITICAL, imageScanFindings.findingSeverityCounts.HIGH]' --output text)"
read -r critical high <<<"${counts//None/0}"
echo "scan of ${target}: ${critical} critical, ${high} high findings"
if [ "${critical}" != "0" ] || [ "${high}" != "0" ]; then
  echo "refusing ${target}: fix the critical and high findings first" >&2
  exit 1
fi
