# escape=^
# Rejected: the escape directive accepts only a backslash or a backtick; a caret (cmd.exe's
# escape character) makes BuildKit stop with "invalid escape token '^' does not match ` or \".
ARG WINDOWS_TAG=ltsc2022

FROM mcr.microsoft.com/windows/servercore:${WINDOWS_TAG} AS build
SHELL ["cmd", "/S", "/C"]
RUN mkdir C:\tools && ^
    curl -fsSLo C:\tools\jq.exe https://github.com/jqlang/jq/releases/download/jq-1.7.1/jq-windows-amd64.exe

FROM mcr.microsoft.com/windows/nanoserver:${WINDOWS_TAG}
COPY --from=build C:/tools C:/tools
ENTRYPOINT ["C:\\tools\\jq.exe"]
