# Shape: a .NET microservice from an OpenTelemetry demo: the SDK stage runs on BUILDPLATFORM
# and restores for TARGETARCH, the ASP.NET runtime image is unnamed.
# Covers: 1, 3, 11
ARG DOTNET_VERSION=8.0

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS builder
ARG TARGETARCH
ARG BUILD_CONFIGURATION=Release
WORKDIR /usr/src/app/
COPY ./src/cart/ ./
COPY ./pb/ ./proto/
RUN dotnet restore ./src/cart.csproj -a $TARGETARCH
RUN dotnet publish ./src/cart.csproj -a $TARGETARCH --no-restore \
    -c ${BUILD_CONFIGURATION} -o /cart

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-bookworm-slim
WORKDIR /usr/src/app/
COPY --from=builder /cart/ ./
ENV DOTNET_HOSTBUILDER__RELOADCONFIGONCHANGE=false
ARG CART_PORT=7070
EXPOSE ${CART_PORT}
ENTRYPOINT [ "./cart" ]
