<?php

declare(strict_types=1);

namespace QueueServer;

/** A callback whose Standard Webhooks headers or signature do not check out. */
class WebhookVerificationException extends \RuntimeException
{
}
