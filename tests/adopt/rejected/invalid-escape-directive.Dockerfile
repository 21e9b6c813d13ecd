# escape=^
# Rejected: the escape directive accepts only a backslash or a backtick; a caret (cmd.exe's
# escape character) makes BuildKit stop with "invalid escape token '^' does not match ` or \".
FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build
RUN echo building ^
    the tools
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY --from=build C:/tools C:/tools
