# Add to crontab or your renewal script
curl -s -c /tmp/cookie -X POST http://localhost:5000/api/auth/login \
  -H "Content-Type: application/json" \
  -d '{"password": "your_password"}' && \
curl -X POST http://localhost:5000/api/stack/nginx-proxy/operation \
  -H "Content-Type: application/json" \
  -H "Cookie: $(grep session /tmp/cookie | awk '{print $7}')" \
  -d '{"operation": "restart"}'
