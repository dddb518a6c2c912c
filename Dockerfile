# DockUp in a container. Build: docker build -t dockup .
# The compose CLI runs inside the container against the host's engine, so STACKS_DIR must be
# mounted at the same path inside and outside: relative bind mounts in compose files resolve
# to host paths.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
# The class-data archive is made by the JVM that uses it: not this stage's.
RUN mvn -B -ntp -q -DskipTests -DskipITs -Dcds.skip=true clean package

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless docker.io docker-compose ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/target/dockup.jar /app/dockup.jar
COPY conf/config.json /app/conf/config.json
COPY conf/jvm.options /app/conf/jvm.options
ENV STACKS_DIR=/opt/stacks DATA_DIR=/app/data PORT=5000
EXPOSE 5000
# A container's host name changes on every recreate: set DOCKUP_NODE_NAME explicitly, e.g.
#   docker run -d --name dockup -p 5000:5000 -e DOCKUP_NODE_NAME=homeserver \
#     -v /var/run/docker.sock:/var/run/docker.sock -v /opt/stacks:/opt/stacks -v dockup-data:/app/data dockup
# The small-host JVM options (serial GC, a heap that starts small, 512 KiB thread stacks): conf/jvm.options.
ENTRYPOINT ["java", "@/app/conf/jvm.options", "-jar", "/app/dockup.jar"]
