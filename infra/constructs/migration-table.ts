import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { MIGRATION_TABLE, type AttributeDef } from '#shared/table/definition';

export interface MigrationTableProps {
  tableName: string;
  /** Deletion protection on and the table retained when the stack goes. @default true */
  protectData?: boolean;
}

const attribute = (def: AttributeDef): dynamodb.Attribute => ({
  name: def.name,
  type: def.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

/**
 * The migration table from the one shared definition (keys, the sparse `byStatus` index):
 * on-demand, point-in-time recovery, encrypted with the AWS managed key.
 */
export class MigrationTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: MigrationTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: attribute(MIGRATION_TABLE.partitionKey),
      sortKey: attribute(MIGRATION_TABLE.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: props.protectData ?? true,
      // The table is the record of who has moved; unless told otherwise it outlives the stack.
      removalPolicy: (props.protectData ?? true) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of MIGRATION_TABLE.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        ...(typeof index.projection === 'string'
          ? {
              projectionType:
                index.projection === 'ALL' ? dynamodb.ProjectionType.ALL : dynamodb.ProjectionType.KEYS_ONLY,
            }
          : {
              projectionType: dynamodb.ProjectionType.INCLUDE,
              nonKeyAttributes: [...index.projection.include],
            }),
      });
    }
  }

  /** The table and each index ARN by name (no `index/*` wildcard). */
  get resourceArns(): string[] {
    return [
      this.table.tableArn,
      ...MIGRATION_TABLE.globalSecondaryIndexes.map(
        (index) => `${this.table.tableArn}/index/${index.indexName}`,
      ),
    ];
  }
}
