#!/bin/bash
#
# DockUp SSL Certificate Renewal Hook
#

DOCKUP_URL="http://localhost:5000"
DOCKUP_PASSWORD="your_password_here"
LOG_FILE="/var/log/dockup-certbot.log"

# Stacks to restart after cert renewal
STACKS_TO_RESTART=(
    "nginx-proxy"
    "traefik"
)

log() {
    echo "[$(date '+%Y-%m-%d %H:%M:%S')] $1" | tee -a "$LOG_FILE"
}

# Check if DockUp is up
if ! curl -s -f "$DOCKUP_URL/api/ping" > /dev/null 2>&1; then
    log "ERROR: Cannot reach DockUp"
    exit 1
fi

log "SSL certificate renewed - restarting stacks..."

# Login
SESSION_COOKIE=$(curl -s -c - -X POST "$DOCKUP_URL/api/auth/login" \
    -H "Content-Type: application/json" \
    -d "{\"password\": \"$DOCKUP_PASSWORD\"}" \
    | grep session | awk '{print $7}')

if [ -z "$SESSION_COOKIE" ]; then
    log "ERROR: Login failed"
    exit 1
fi

# Restart each stack
for STACK in "${STACKS_TO_RESTART[@]}"; do
    log "Restarting $STACK..."
    
    RESPONSE=$(curl -s -X POST "$DOCKUP_URL/api/stack/$STACK/operation" \
        -H "Content-Type: application/json" \
        -H "Cookie: session=$SESSION_COOKIE" \
        -d '{"operation": "restart"}')
    
    if echo "$RESPONSE" | grep -q '"success":true'; then
        log "✓ $STACK restarted"
    else
        log "✗ $STACK failed: $RESPONSE"
    fi
    
    sleep 5
done

log "Done"
exit 0
