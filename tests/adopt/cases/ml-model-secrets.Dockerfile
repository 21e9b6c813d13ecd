# Shape: an ML image that downloads gated model weights at build time: the Hugging Face token
# is secret `hf_token` exposed as HF_TOKEN, the W&B login a required secret file at a custom
# target, and an S3 credential whose source name differs from its target's basename. A global
# `ARG HF_TOKEN` remains from the days the token was a build argument.
# Covers: 5, 11, 13
ARG PYTORCH_IMAGE=pytorch/pytorch:2.4.1-cuda12.4-cudnn9-runtime
ARG HF_TOKEN

FROM ${PYTORCH_IMAGE} AS deps
RUN pip install --no-cache-dir "huggingface_hub[cli]" wandb awscli

FROM deps AS weights
ARG MODEL_ID=meta-llama/Llama-3.1-8B-Instruct
RUN --mount=type=secret,id=hf_token,env=HF_TOKEN \
    huggingface-cli download "${MODEL_ID}" --local-dir /models/llm --exclude "*.pth"
RUN --mount=type=secret,src=s3-readonly,target=/root/.aws/credentials \
    aws s3 cp s3://example-evals/datasets/ /data/ --recursive

FROM deps AS trainer
RUN --mount=type=secret,id=wandb,target=/root/.netrc,required=true \
    wandb login --verify
COPY --from=weights /models /models
COPY --from=weights /data /data
COPY train.py /app/train.py
ENTRYPOINT ["python", "/app/train.py", "--model", "/models/llm"]
